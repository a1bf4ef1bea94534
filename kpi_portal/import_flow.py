"""The import pages' shared flow: upload, keep the file privately, preview, confirm.

HR uploads a table; the page checks it with a dry run and keeps the file in
PRIVATE_MEDIA_ROOT/uploads under a random name remembered in the session. The
confirm step reads that same file again and imports it for real, re-checked
against the database as it is at that moment, so what is saved is what the
checks saw. Files abandoned at the preview step are removed after a day.

A file larger than IMPORT_BACKGROUND_BYTES is checked, and later imported,
by the background worker instead (kpi_portal.jobs): the page goes to the
job's progress bar (rows read of rows in the file), and when the job is done
to the page's result view, which shows the same preview (or the same
success message) from the outcome the job stored.

Used by the org, KPI and results import pages; each keeps its own columns,
importer and wording (an ImportPage).
"""

import io
import json
import re
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from types import SimpleNamespace

import xlsxwriter
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kpi_portal.jobs import JobError, get_job_for, job_start, register
from kpi_portal.models import Job
from kpi_portal.tabular import TableError, check_upload_size

SUFFIXES = (".xlsx", ".csv")
STALE_SECONDS = 24 * 3600
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class TableUploadForm(forms.Form):
    """A spreadsheet upload: .xlsx or .csv, within the size limits of kpi_portal.tabular."""

    file = forms.FileField(
        label=gettext_lazy("ไฟล์ .xlsx หรือ .csv"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(_("รองรับเฉพาะไฟล์ .xlsx หรือ .csv"))
        try:
            check_upload_size(upload)
        except TableError as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


def upload_dir() -> Path:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class PendingUpload:
    """The file one import page of this session checked and has not confirmed yet.

    `prefix` names the page ("org", "kpis", "results"): its files are
    uploads/<prefix>-<token><suffix>, its session key <prefix>_import.
    """

    def __init__(self, request, prefix: str):
        self.session = request.session
        self.prefix = prefix
        self.key = f"{prefix}_import"

    @property
    def info(self) -> dict:
        """What was remembered with the file (filename, round ...)."""
        return self.session.get(self.key) or {}

    @property
    def path(self) -> Path | None:
        """The kept file, if this session has one and it still exists."""
        token, suffix = str(self.info.get("token", "")), self.info.get("suffix", "")
        if not _TOKEN.match(token) or suffix not in SUFFIXES:
            return None
        found = upload_dir() / f"{self.prefix}-{token}{suffix}"
        return found if found.is_file() else None

    @property
    def filename(self) -> str:
        return self.info.get("filename", "")

    def keep(self, upload, **remember) -> Path:
        """Store the upload (replacing any earlier one of this page) and remember it."""
        self.forget()
        self._remove_stale()
        suffix = Path(upload.name).suffix.lower()
        token = secrets.token_hex(16)
        target = upload_dir() / f"{self.prefix}-{token}{suffix}"
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        self.session[self.key] = {
            "token": token,
            "suffix": suffix,
            "filename": upload.name,
            **remember,
        }
        return target

    def forget(self) -> None:
        found = self.path
        if found is not None:
            found.unlink(missing_ok=True)
        self.session.pop(self.key, None)

    def hand_over(self) -> dict:
        """Leave the file to a background import (which removes it) and forget it here."""
        return self.session.pop(self.key, None) or {}

    def _remove_stale(self) -> None:
        limit = time.time() - STALE_SECONDS
        for old in upload_dir().glob(f"{self.prefix}-*"):
            try:
                if old.stat().st_mtime < limit:
                    old.unlink()
            except OSError:
                pass  # another request removed it first


# A file of a million rows can have a million bad ones: the page lists the
# first ones (by row) and counts the rest.
MAX_SHOWN_ERRORS = 1000


@dataclass
class Outcome:
    """An import (or dry run) as the preview page shows it."""

    report: object | None = None
    file_error: str | None = None
    errors: list = field(default_factory=list)  # the first MAX_SHOWN_ERRORS
    errors_more: int = 0  # and how many more there are

    @property
    def failed(self) -> bool:
        return bool(self.file_error or self.errors)

    def context(self) -> dict:
        return {
            "report": self.report,
            "file_error": self.file_error,
            "errors": self.errors,
            "errors_more": self.errors_more,
            "errors_total": len(self.errors) + self.errors_more,
        }


def attempt(run: Callable[[], object]) -> Outcome:
    """Run an importer; a file that cannot be read becomes the outcome's file_error.

    Only the first MAX_SHOWN_ERRORS errors are kept (on the report as well, so
    a background job's stored outcome stays small); the rest are counted.
    """
    try:
        report = run()
    except TableError as exc:
        return Outcome(file_error=exc.message, errors=exc.errors)
    errors = report.errors
    more = max(len(errors) - MAX_SHOWN_ERRORS, 0)
    if more:
        errors = report.errors = errors[:MAX_SHOWN_ERRORS]
    return Outcome(report=report, errors=errors, errors_more=more)


# Importing in the background worker ----------------------------------------

# check(path, params, user, dry_run=..., progress=...) -> the importer's report;
# raises TableError for a file that cannot be read (see attempt()).
Check = Callable[..., object]


@dataclass(frozen=True)
class ImportPage:
    """One import page, as the background flow needs it."""

    prefix: str  # as PendingUpload's
    job_kind: str
    check: Check
    upload_url: str  # URL names: the upload page,
    result_url: str  # and the result view, taking the job's pk

    def pending(self, request) -> PendingUpload:
        """The file this page's session checked and has not confirmed yet."""
        return PendingUpload(request, self.prefix)


def runs_in_background(path: Path) -> bool:
    """Files above settings.IMPORT_BACKGROUND_BYTES are checked and imported by the worker."""
    return path.stat().st_size > settings.IMPORT_BACKGROUND_BYTES


def register_import(page: ImportPage, title) -> None:
    """Register the page's import job (call it in the app's AppConfig.ready)."""

    def run(job: Job, progress):
        params = job.params
        token, suffix = str(params.get("token") or ""), params.get("suffix")
        path = upload_dir() / f"{page.prefix}-{token}{suffix}"
        dry_run = bool(params.get("dry_run"))
        with translation.override(params.get("language") or settings.LANGUAGE_CODE):
            if not _TOKEN.match(token) or suffix not in SUFFIXES or not path.is_file():
                raise JobError(_("ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง"))
            checking = _("อ่านไฟล์แล้ว กำลังตรวจสอบข้อมูล") if dry_run else _("อ่านไฟล์แล้ว กำลังนำเข้า")

            def reading(done: int, total: int) -> None:
                progress(done, total)
                if total and done >= total:  # read: the checks (and writes) follow
                    now = timezone.now()
                    Job.objects.filter(pk=job.pk).update(message=checking, updated_at=now)

            try:
                outcome = attempt(
                    lambda: page.check(
                        path, params, job.requested_by, dry_run=dry_run, progress=reading
                    )
                )
            finally:
                if not dry_run:
                    path.unlink(missing_ok=True)  # imported or refused: either way done with
            target = job.output_path("outcome.json")
            target.write_text(json.dumps(_plain(outcome), cls=DjangoJSONEncoder), "utf-8")
            if outcome.failed:
                return target, _("ไฟล์นี้ยังนำเข้าไม่ได้")
            return target, _("ตรวจสอบไฟล์เรียบร้อย") if dry_run else _("นำเข้าเรียบร้อย")

    register(page.job_kind, run, title=title, result_url=page.result_url)


def import_job_start(page: ImportPage, request, *, dry_run: bool, **params) -> Job:
    """Start the page's import job on the file the session holds (see PendingUpload)."""
    pending = page.pending(request)
    info = pending.info if dry_run else pending.hand_over()
    params = {
        "token": info.get("token"),
        "suffix": info.get("suffix"),
        "filename": info.get("filename"),
        "dry_run": dry_run,
        "language": translation.get_language(),
        **params,
    }
    return job_start(kind=page.job_kind, params=params, by=request.user)


def in_background(page: ImportPage, request, kept: Path, *, dry_run: bool, **params):
    """For a large file: start the job and answer with its progress page; else None."""
    if not runs_in_background(kept):
        return None
    job = import_job_start(page, request, dry_run=dry_run, **params)
    return redirect("jobs:detail", pk=job.pk)


@dataclass
class JobResult:
    """A finished import job as its page shows it."""

    job: Job
    outcome: Outcome
    filename: str

    @property
    def dry_run(self) -> bool:
        return bool(self.job.params.get("dry_run"))


def import_job_result(page: ImportPage, request, pk) -> JobResult | HttpResponse:
    """The requester's import job of this page with its outcome, or where to go instead.

    Another person's job, or another page's, is a 404. A job still running
    goes back to its progress page; one whose outcome has expired, or whose
    file this session has since replaced, back to the upload page with a
    message. A dry run whose file cannot be imported forgets the file, as the
    page does in the request.
    """
    job = get_job_for(request.user, pk)
    if job.kind != page.job_kind:
        raise Http404("Not this page's job")
    if not job.is_finished or job.status == Job.Status.FAILED:
        return redirect("jobs:detail", pk=job.pk)
    pending = page.pending(request)
    path = job.result_path
    replaced = job.params.get("dry_run") and pending.info.get("token") != job.params.get("token")
    if path is None or not path.is_file() or replaced:
        messages.error(request, _("ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง"))
        return redirect(page.upload_url)
    data = _record(json.loads(path.read_text("utf-8")))
    outcome = Outcome(
        report=data.report,
        file_error=data.file_error,
        errors=data.errors,
        errors_more=getattr(data, "errors_more", 0),
    )
    if outcome.failed and job.params.get("dry_run"):
        pending.forget()
    return JobResult(job=job, outcome=outcome, filename=job.params.get("filename") or "")


def result_view(
    page: ImportPage,
    *,
    template: str,
    guard: Callable,
    done: Callable,
    scope: Callable[[dict], dict] = lambda params: {},
    retry_form: Callable[[dict], forms.Form] = lambda scope: TableUploadForm(),
):
    """The page's result view for its background jobs (URL name page.result_url).

    A dry run shows the same preview the page shows in the request; a real
    import the same success message (`done(request, report, **scope)`), or
    the preview with what went wrong. `scope(job params)` gives the extra
    context (the round) and raises Http404 when it is gone; `guard(user)`
    is the page's access check.
    """

    @login_required
    @require_GET
    def view(request, pk):
        guard(request.user)
        result = import_job_result(page, request, pk)
        if not isinstance(result, JobResult):
            return result
        extra = scope(result.job.params)
        outcome = result.outcome
        if outcome.failed or result.dry_run:
            context = {"filename": result.filename, **extra, **outcome.context()}
            if outcome.failed:
                context.update(form=retry_form(extra), confirm_failed=not result.dry_run)
            return render(request, template, context)
        return done(request, outcome.report, **extra)

    return view


def _plain(outcome: Outcome) -> dict:
    report = outcome.report
    return {
        "report": asdict(report) if is_dataclass(report) else report,
        "file_error": outcome.file_error,
        "errors": [asdict(error) for error in outcome.errors],
        "errors_more": outcome.errors_more,
    }


def _record(value):
    """JSON back into objects the templates and views read by attribute."""
    if isinstance(value, dict):
        return SimpleNamespace(**{key: _record(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_record(item) for item in value]
    return value


@dataclass(frozen=True)
class TemplateSheet:
    """What an import page's downloadable template holds."""

    title: str
    columns: Sequence  # kpi_portal.tabular columns (label, key, required)
    meanings: Sequence[tuple[object, object]]  # (column, what it means)
    examples: Iterable[Sequence]
    widths: Callable[[object], int]
    filename: str
    also_required: frozenset = frozenset()


def template_response(spec: TemplateSheet) -> HttpResponse:
    """An .xlsx with the Thai headers, example rows, and a sheet explaining the columns."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDE3EE", "border": 1})
    sheet = workbook.add_worksheet(spec.title)
    for index, column in enumerate(spec.columns):
        sheet.write_string(0, index, f"{column.label}*" if column.required else column.label, bold)
        sheet.set_column(index, index, spec.widths(column))
    for number, values in enumerate(spec.examples, start=1):
        for index, value in enumerate(values):
            if isinstance(value, int | float):
                sheet.write_number(number, index, value)
            elif value:
                sheet.write_string(number, index, value)
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet(_("คำอธิบาย"))
    for index, title in enumerate((_("คอลัมน์"), _("ชื่อคอลัมน์ภาษาอังกฤษ"), _("จำเป็น"), _("ความหมาย"))):
        notes.write_string(0, index, title, bold)
    for number, (column, meaning) in enumerate(spec.meanings, start=1):
        needed = column.required or column.key in spec.also_required
        for index, value in enumerate(
            (column.label, column.key, _("จำเป็น") if needed else "", str(meaning))
        ):
            notes.write_string(number, index, value)
    notes.set_column(0, 2, 20)
    notes.set_column(3, 3, 80)
    workbook.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{spec.filename}"'
    return response
