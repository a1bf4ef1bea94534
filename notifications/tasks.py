"""django-tasks task of the notifications: the worker sends the outbox."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_outbox() -> int:
    """Send the e-mails that are due; returns how many went out.

    Failures stay in the outbox (notifications.outbox), so the task succeeds;
    with the database backend the worker is asked to try again when the
    first of them is due. `manage.py flush_outbox` from cron catches anything
    else (a worker that was down).
    """
    from notifications.outbox import next_attempt_due, outbox_flush

    report = outbox_flush()
    if report.retrying:
        retry_at = next_attempt_due()
        backend = send_outbox.get_backend()
        if retry_at is not None and backend.supports_defer:
            try:
                send_outbox.using(run_after=retry_at).enqueue()
            except Exception:  # cron's flush_outbox will pick them up
                logger.exception("Could not schedule the outbox retry")
    return report.sent
