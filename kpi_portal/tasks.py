"""django-tasks tasks. The worker (`manage.py db_worker`) imports them by path."""

from django_tasks import task


@task()
def run_job(job_id: str) -> str:
    """Run one background job (kpi_portal.jobs.job_run); returns its final status.

    Failures are recorded on the Job, not raised: the task itself succeeds.
    """
    from kpi_portal.jobs import job_run

    return job_run(job_id=job_id)
