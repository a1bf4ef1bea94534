"""/health/: is the database answering, is the task worker keeping up?"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: the database does not answer")
        return False
    return True


def worker_status() -> dict:
    """The worker, judged from django-tasks-db's task table.

    - "not_used": the immediate backend runs jobs inside requests;
    - "stale": a task has waited more than WORKER_STALE_MINUTES to be picked up
      (no worker running, or it is stuck);
    - "ok": tasks wait less than that, one is running, or one was picked up
      within that time;
    - "idle": nothing waiting and nothing recent, so nothing to judge by.
    """
    if settings.TASKS_BACKEND != "database":
        return {"worker": "not_used"}
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    limit = now - timedelta(minutes=settings.WORKER_STALE_MINUTES)
    ready = DBTaskResult.objects.ready()
    queued = ready.count()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    running = DBTaskResult.objects.running().count()
    info = {
        "queued": queued,
        "running": running,
        "oldest_queued_seconds": int((now - oldest).total_seconds()) if oldest else None,
    }
    # A deferred task waits from its run_after, any other from enqueued_at.
    overdue = ready.filter(
        Q(run_after=get_date_max(), enqueued_at__lt=limit) | Q(run_after__lt=limit)
    )
    if overdue.exists():
        return {"worker": "stale", **info}
    if queued or running or DBTaskResult.objects.filter(started_at__gte=limit).exists():
        return {"worker": "ok", **info}
    return {"worker": "idle", **info}


@never_cache
@require_GET
def health(request):
    """200 with {"database": "ok", "worker": ...} while the database answers, else 503."""
    if not database_ok():
        return JsonResponse({"database": "error", "worker": "unknown"}, status=503)
    try:
        worker = worker_status()
    except Exception:
        logger.exception("Health check: cannot read the task table")
        worker = {"worker": "unknown"}
    return JsonResponse({"database": "ok", **worker, "time": timezone.now().isoformat()})
