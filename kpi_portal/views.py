from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kpi_portal.jobs import get_job_for, jobs_expire, jobs_reap, kind_of
from kpi_portal.models import Job
from kpi_portal.todos import todos_for

# htmx stops polling an element when the response has this status.
HTMX_STOP_POLLING = 286
JOBS_LISTED = 50


@login_required
def home(request):
    """The landing page: what this person has to do, by role (kpi_portal.todos)."""
    todos = todos_for(request.user)
    context = {
        "todos": todos,
        "todo_groups": [
            (_("งานของฉัน"), [item for item in todos if item.role == "officer"]),
            (_("งานของทีม"), [item for item in todos if item.role == "head"]),
        ],
    }
    return render(request, "home.html", context)


def _title(job: Job) -> str:
    spec = kind_of(job)
    return spec.title if spec else job.kind


def _job_context(job: Job) -> dict:
    return {
        "job": job,
        "title": _title(job),
        "ttl_hours": settings.JOB_TTL_HOURS,
        "result_url": _result_url(job),
    }


def _result_url(job: Job) -> str:
    """Where a finished job shows its result itself (an import's preview), if anywhere."""
    spec = kind_of(job)
    if job.status != Job.Status.DONE or spec is None or not spec.result_url:
        return ""
    return reverse(spec.result_url, args=[job.pk])


def _current_job(request, pk) -> Job:
    """The requester's job (404 for others), failed first if its worker has gone silent."""
    job = get_job_for(request.user, pk)
    if job.status == Job.Status.RUNNING and jobs_reap(pk=job.pk):
        job.refresh_from_db()
    return job


@login_required
def job_list(request):
    """The user's own background jobs, newest first (JOBS_LISTED of them; two queries)."""
    jobs = list(Job.objects.filter(requested_by=request.user)[:JOBS_LISTED])
    for job in jobs:
        job.title = _title(job)
    return render(request, "jobs/list.html", {"jobs": jobs, "ttl_hours": settings.JOB_TTL_HOURS})


@login_required
def job_detail(request, pk):
    """A job's page: progress while it runs, then the download link (requester only)."""
    job = _current_job(request, pk)
    if url := _result_url(job):
        return redirect(url)
    return render(request, "jobs/detail.html", _job_context(job))


@never_cache
@login_required
def job_progress(request, pk):
    """The progress partial htmx polls every second; 286 once the job has finished.

    A job that shows its result on a page of its own sends the browser there.
    """
    job = _current_job(request, pk)
    status = HTMX_STOP_POLLING if job.is_finished else 200
    context = _job_context(job)
    response = render(request, "jobs/_progress.html", context, status=status)
    if context["result_url"]:
        response["HX-Redirect"] = context["result_url"]
    return response


@login_required
def job_download(request, pk):
    """The job's result file as an attachment; 410 with a page once it has expired."""
    job = get_job_for(request.user, pk)
    if job.status != Job.Status.DONE or (not job.result_file and job.expires_at is None):
        # Still running, failed, or done without a file: the page says which.
        return redirect("jobs:detail", pk=job.pk)
    path = job.result_path
    if job.is_expired or path is None or not path.is_file():
        jobs_expire()
        return render(request, "jobs/expired.html", _job_context(job), status=410)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
    response["Cache-Control"] = "private, no-store"
    return response
