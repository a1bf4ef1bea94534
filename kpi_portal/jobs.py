"""Background jobs with progress: the registry of kinds and the job services.

A kind is a runner registered once at start-up (in an AppConfig.ready, so the
web processes and the worker both know it)::

    def export_round(job, progress):
        rows = ...
        path = job.output_path("รายงาน.xlsx")
        for done, row in enumerate(rows, 1):
            ...
            progress(done, len(rows))
        return path, "ส่งออก 3,000 แถว"

    register("appraisals.round_report", export_round, title="รายงานรอบการประเมิน")

A view starts it with job_start(kind=..., params={...}, by=request.user) and
redirects to the job's page (`jobs:detail`), which shows the progress and then
the download link.
"""

import logging
import shutil
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kpi_portal.models import Job, jobs_root

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Runner = Callable[[Job, Progress], tuple[Path | str | None, str]]

# Progress reaches the database at most this often, or after this many rows.
PROGRESS_INTERVAL_SECONDS = 0.5
PROGRESS_EVERY_ROWS = 1000
monotonic = time.monotonic  # tests replace it


class JobError(Exception):
    """A failure whose message the requester should read (say it in Thai)."""


@dataclass(frozen=True)
class JobKind:
    kind: str
    runner: Runner
    title: str
    # A URL name taking the job's pk: where a finished job's result is shown
    # (an import's preview) instead of a download link.
    result_url: str = ""


_registry: dict[str, JobKind] = {}


def _path_of(function) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def register(kind: str, runner: Runner | None = None, *, title: str = "", result_url: str = ""):
    """Register `runner(job, progress) -> (file path | None, message)` as `kind`.

    Also a decorator: `@register("indicators.kpi_import", title=...)`. The
    runner reads `job.params`, calls `progress(done, total)` as it goes,
    writes its file at `job.output_path(name)` and raises JobError (or a
    ValidationError) with a message for the user when it cannot go on.
    """
    if runner is None:

        def decorator(function: Runner) -> Runner:
            register(kind, function, title=title, result_url=result_url)
            return function

        return decorator
    existing = _registry.get(kind)
    if existing and _path_of(existing.runner) != _path_of(runner):
        raise ImproperlyConfigured(
            f"Job kind {kind!r} is already registered to {_path_of(existing.runner)}."
        )
    _registry[kind] = JobKind(
        kind=kind, runner=runner, title=str(title) if title else kind, result_url=result_url
    )
    return runner


def kind_of(job: Job) -> JobKind | None:
    return _registry.get(job.kind)


def job_start(*, kind: str, params: dict | None = None, by) -> Job:
    """Create a job for `by` and hand it to the task backend.

    With the immediate backend (development, tests) the job has finished when
    this returns; with the database backend it waits for the worker. `params`
    must be JSON (ids, codes, ISO dates). Also expires old result files.
    """
    if kind not in _registry:
        raise ImproperlyConfigured(f"Unknown job kind {kind!r}: register() it first.")
    jobs_expire()
    from kpi_portal.tasks import run_job

    # Committed before the task exists, so the worker always finds the row;
    # inside the caller's transaction both commit together.
    job = Job.objects.create(kind=kind, params=params or {}, requested_by=by)
    try:
        result = run_job.enqueue(str(job.pk))
    except Exception:
        logger.exception("Job %s (%s) could not be queued", job.pk, kind)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, finished_at=timezone.now(), updated_at=timezone.now()
        )
        raise
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


class _ProgressWriter:
    """progress(done, total): writes to the job row, throttled."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.done = 0
        self.total = 0
        self.written_at = float("-inf")
        self.written_done = 0

    def __call__(self, done: int, total: int) -> None:
        total = max(0, int(total))
        done = max(0, int(done))
        if total:
            done = min(done, total)
        self.done, self.total = done, total
        now = monotonic()
        due = (
            now - self.written_at >= PROGRESS_INTERVAL_SECONDS
            or done - self.written_done >= PROGRESS_EVERY_ROWS
            or (total and done == total)
        )
        if due:
            Job.objects.filter(pk=self.job_id).update(
                done=done, total=total, updated_at=timezone.now()
            )
            self.written_at, self.written_done = now, done


def _store_result(job: Job, path: Path | str | None) -> str:
    """Move the runner's file into the job's folder; its path relative to jobs_root()."""
    if path is None:
        return ""
    source = Path(path).resolve()
    if not source.is_file():
        raise RuntimeError(f"Runner for {job.kind} returned {source}, which is not a file.")
    target = source
    if not source.is_relative_to(job.directory.resolve()):
        target = job.output_path(source.name)
        shutil.move(source, target)
    return target.relative_to(jobs_root().resolve()).as_posix()


def _user_message(error: Exception) -> str:
    if isinstance(error, JobError):
        return str(error)
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return ""  # the page shows a general message; the traceback is in the log


def job_run(*, job_id) -> str:
    """Run a queued job (the task run_job calls this); returns the final status.

    Claims the job (queued -> running), so a task delivered twice runs once.
    Whatever the runner raises is recorded on the job (failed), with the
    message meant for the user; the traceback goes to the log.
    """
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:
        logger.warning("Job %s is not queued (already run or deleted): skipped", job_id)
        return "skipped"
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    progress = _ProgressWriter(job.pk)
    spec = kind_of(job)
    # Inside a transaction already (the immediate backend within a request
    # or test), a savepoint lets a database error in the runner be recorded.
    # Outside one (the worker), progress must commit as it goes.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        if spec is None:
            raise RuntimeError(f"Job kind {job.kind!r} is not registered in this process.")
        with guard:
            path, message = spec.runner(job, progress)
            result_file = _store_result(job, path)
    except Exception as error:
        if isinstance(error, JobError | ValidationError):
            logger.warning("Job %s (%s) failed: %s", job.pk, job.kind, error)
        else:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
        shutil.rmtree(job.directory, ignore_errors=True)
        finished = timezone.now()
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            error=_user_message(error),
            done=progress.done,
            total=progress.total,
            finished_at=finished,
            updated_at=finished,
        )
        return Job.Status.FAILED.value
    finished = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        message=str(message or ""),
        result_file=result_file,
        done=progress.total or progress.done,
        total=progress.total,
        finished_at=finished,
        updated_at=finished,
        expires_at=finished + timedelta(hours=settings.JOB_TTL_HOURS) if result_file else None,
    )
    return Job.Status.DONE.value


def jobs_reap(*, now: datetime | None = None, pk=None) -> int:
    """Mark failed the running jobs silent for JOB_SILENT_MINUTES; returns how many.

    A worker stopped mid-job (a restart, the machine lost) leaves its job
    "running" for ever; the requester should be told to start it again.
    Runners report progress at least every few seconds while reading or
    writing, so a long silence means nobody is working on the job. `pk`
    limits the check to one job (its page does that on every look).
    """
    now = now or timezone.now()
    silent = Job.objects.filter(
        status=Job.Status.RUNNING,
        updated_at__lt=now - timedelta(minutes=settings.JOB_SILENT_MINUTES),
    )
    if pk is not None:
        silent = silent.filter(pk=pk)
    with translation.override(settings.LANGUAGE_CODE):
        error = _("งานหยุดกลางคันเพราะเครื่องที่ทำงานนี้หยุดทำงาน ไม่มีการบันทึกข้อมูลใด ๆ กรุณาสั่งงานใหม่อีกครั้ง")
    count = silent.update(status=Job.Status.FAILED, error=error, finished_at=now, updated_at=now)
    if count:
        logger.warning("Marked %d silent running job(s) failed", count)
    return count


def jobs_expire(*, now: datetime | None = None) -> int:
    """Delete the result files whose time is up; returns how many.

    Called by `manage.py expire_jobs` (cron) and whenever a job starts;
    also marks silent running jobs failed (jobs_reap). The job rows stay,
    so their pages can say the file has expired.
    """
    now = now or timezone.now()
    jobs_reap(now=now)
    expired = Job.objects.filter(expires_at__lte=now).exclude(result_file="")
    count = 0
    for job in expired.only("pk", "result_file"):
        shutil.rmtree(job.directory, ignore_errors=True)
        count += Job.objects.filter(pk=job.pk).update(result_file="")
    if count:
        logger.info("Deleted %d expired job files", count)
    return count


def get_job_for(user, pk) -> Job:
    """The job, if `user` started it; anyone else gets 404 (as if it did not exist)."""
    job = Job.objects.filter(pk=pk, requested_by_id=user.pk).first()
    if job is None:
        raise Http404("No such job")
    return job
