"""HR page: import actual results from a spreadsheet (upload, preview, confirm).

The upload is checked with a dry run and kept in PRIVATE_MEDIA_ROOT/uploads
under a random name remembered in this session (with the round); the confirm
step reads that file again and imports it for real, re-checked against the
database as it is then. Officers and heads who are not HR get 403.
"""

import re
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from appraisals.importer import RESULT_COLUMNS, results_import, results_read
from indicators.models import Round
from kpi_portal.tabular import TableError, check_upload_size
from orgchart.access import require_hr

SESSION_KEY = "results_import"
SUFFIXES = (".xlsx", ".csv")
STALE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")

COLUMN_HELP = {
    "kpi_code": gettext_lazy("รหัสตัวชี้วัดในรอบการประเมิน (ตามที่นำเข้าหรือกำหนดในแผน)"),
    "actual": gettext_lazy("ผลการดำเนินงานที่วัดได้ (ตัวเลข) จำเป็นสำหรับเกณฑ์มากดี/น้อยดี"),
    "milestones_done": gettext_lazy("จำนวนขั้นตอนที่สำเร็จ นับจากขั้นแรก (0-5) จำเป็นสำหรับเกณฑ์ขั้นตอน"),
    "note": gettext_lazy("หลักฐานหรือคำอธิบาย (เว้นว่างเพื่อคงหมายเหตุเดิม)"),
}


class UploadForm(forms.Form):
    round = forms.ModelChoiceField(
        label=gettext_lazy("รอบการประเมิน"),
        queryset=Round.objects.filter(status__in=[Round.Status.TRACKING, Round.Status.ASSESSMENT]),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
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


def _upload_dir() -> Path:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _pending(request) -> tuple[Path | None, dict]:
    """The file this session uploaded and has not confirmed yet, if it still exists."""
    pending = request.session.get(SESSION_KEY) or {}
    token, suffix = pending.get("token", ""), pending.get("suffix", "")
    if not _TOKEN.match(str(token)) or suffix not in SUFFIXES:
        return None, pending
    found = _upload_dir() / f"results-{token}{suffix}"
    return (found if found.is_file() else None), pending


def _forget(request) -> None:
    found, _pending_data = _pending(request)
    if found is not None:
        found.unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


def _remove_stale_uploads() -> None:
    """Uploads abandoned at the preview step are removed after a day."""
    limit = time.time() - STALE_SECONDS
    for old in _upload_dir().glob("results-*"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass  # another request removed it first


def _keep(request, upload, the_round: Round) -> Path:
    suffix = Path(upload.name).suffix.lower()
    token = secrets.token_hex(16)
    target = _upload_dir() / f"results-{token}{suffix}"
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    request.session[SESSION_KEY] = {
        "token": token,
        "suffix": suffix,
        "filename": upload.name,
        "round": the_round.pk,
    }
    return target


def _run(kept: Path, the_round: Round, user, *, dry_run: bool) -> dict:
    """Import (or check) the kept file; the context for the preview page."""
    try:
        report = results_import(table=results_read(kept), round=the_round, by=user, dry_run=dry_run)
    except TableError as exc:
        return {"report": None, "file_error": exc.message, "errors": exc.errors}
    return {"report": report, "file_error": None, "errors": report.errors}


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """GET: the upload form; POST: check the file (dry run) and show every bad row."""
    require_hr(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _forget(request)
        _remove_stale_uploads()
        upload, the_round = form.cleaned_data["file"], form.cleaned_data["round"]
        kept = _keep(request, upload, the_round)
        context = {"filename": upload.name, "round": the_round, "form": form}
        context.update(_run(kept, the_round, request.user, dry_run=True))
        if context["errors"] or context["file_error"]:
            _forget(request)
        return render(request, "appraisals/import_preview.html", context)
    columns = [(column, COLUMN_HELP[column.key]) for column in RESULT_COLUMNS]
    return render(request, "appraisals/import.html", {"form": form, "columns": columns})


@login_required
@require_POST
def import_confirm(request):
    """Import the file checked at the preview step, all or nothing; or cancel it."""
    require_hr(request.user)
    kept, pending = _pending(request)
    the_round = Round.objects.filter(pk=pending.get("round") or 0).first()
    if request.POST.get("action") == "cancel" or kept is None or the_round is None:
        if request.POST.get("action") != "cancel":
            messages.error(request, _("ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง"))
        _forget(request)
        return redirect("appraisals:import")
    filename = pending.get("filename", kept.name)
    context = _run(kept, the_round, request.user, dry_run=False)
    _forget(request)
    if context["errors"] or context["file_error"]:
        # Something changed since the preview (a plan reopened, the round moved on).
        context.update(filename=filename, round=the_round, confirm_failed=True, form=UploadForm())
        return render(request, "appraisals/import_preview.html", context)
    report = context["report"]
    messages.success(
        request,
        _(
            "นำเข้าผลการดำเนินงานเรียบร้อย: บันทึกใหม่ %(created)s รายการ "
            "แก้ไข %(updated)s รายการ ไม่เปลี่ยนแปลง %(unchanged)s รายการ"
        )
        % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect("appraisals:import")


urlpatterns = [
    path("import/", import_upload, name="import"),
    path("import/confirm/", import_confirm, name="import_confirm"),
]
