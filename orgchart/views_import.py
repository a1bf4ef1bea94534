"""HR page: import units and people from a spreadsheet (upload, preview, confirm).

The upload is checked with a dry run and kept in PRIVATE_MEDIA_ROOT/uploads
under a random name remembered in the session; the confirm step reads that
file again and imports it for real, so what is saved is what the checks saw
(re-checked against the database as it is at that moment).
URL patterns: `import_urlpatterns` at the end of the module.
"""

import io
import re
import secrets
import time
from pathlib import Path

import xlsxwriter
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpi_portal.tabular import TableError, check_upload_size
from orgchart.access import require_hr
from orgchart.importer import ORG_COLUMNS, org_import, org_read

SESSION_KEY = "org_import"
SUFFIXES = (".xlsx", ".csv")
STALE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")

# What each column means, for the page and the template's second sheet.
COLUMN_HELP = {
    "code": gettext_lazy("รหัสของหน่วยงานหรือบุคคล ไม่ซ้ำกัน ใช้จับคู่กับข้อมูลเดิม"),
    "parent_code": gettext_lazy("รหัสของหน่วยงานต้นสังกัด เว้นว่างสำหรับกรม/ส่วนราชการ"),
    "kind": gettext_lazy("กรม, ส่วนราชการ, สำนัก, กอง, กลุ่มงาน, กลุ่ม, ฝ่าย หรือ บุคคล"),
    "name": gettext_lazy("ชื่อหน่วยงาน หรือชื่อ-นามสกุลของบุคคล"),
    "position": gettext_lazy("ตำแหน่งของบุคคล"),
    "position_level": gettext_lazy("ระดับตำแหน่ง เช่น ชำนาญการ"),
    "username": gettext_lazy("ชื่อผู้ใช้สำหรับเข้าระบบ (ถ้ายังไม่มีจะสร้างบัญชีโดยยังไม่มีรหัสผ่าน)"),
    "email": gettext_lazy("อีเมล"),
    "is_head": gettext_lazy("ใช่ ถ้าบุคคลนี้เป็นหัวหน้าหน่วยงานต้นสังกัด (หน่วยงานละไม่เกินหนึ่งคน)"),
    "is_hr": gettext_lazy("ใช่ ถ้าบุคคลนี้เป็นเจ้าหน้าที่บุคคลของกรม"),
}
EXAMPLE_ROWS = (
    ("D01", "", "กรม", "กรมตัวอย่าง", "", "", "", "", "", ""),
    ("D01-01", "D01", "สำนัก", "สำนักบริหารกลาง", "", "", "", "", "", ""),
    ("D01-01-1", "D01-01", "กลุ่มงาน", "กลุ่มงานบริหารทรัพยากรบุคคล", "", "", "", "", "", ""),
    (
        "P0001",
        "D01-01-1",
        "บุคคล",
        "นางสาวสมใจ ใจดี",
        "นักทรัพยากรบุคคล",
        "ชำนาญการพิเศษ",
        "somjai.j",
        "somjai.j@example.go.th",
        "ใช่",
        "ใช่",
    ),
)


class UploadForm(forms.Form):
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


def _pending_path(request) -> Path | None:
    """The file this session uploaded and has not confirmed yet, if it still exists."""
    pending = request.session.get(SESSION_KEY) or {}
    token, suffix = pending.get("token", ""), pending.get("suffix", "")
    if not _TOKEN.match(token) or suffix not in SUFFIXES:
        return None
    found = _upload_dir() / f"org-{token}{suffix}"
    return found if found.is_file() else None


def _forget_pending(request) -> None:
    found = _pending_path(request)
    if found is not None:
        found.unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


def _remove_stale_uploads() -> None:
    """Uploads abandoned at the preview step are removed after a day."""
    limit = time.time() - STALE_SECONDS
    for old in _upload_dir().glob("org-*"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass  # another request removed it first


def _keep_upload(request, upload) -> Path:
    suffix = Path(upload.name).suffix.lower()
    token = secrets.token_hex(16)
    target = _upload_dir() / f"org-{token}{suffix}"
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    request.session[SESSION_KEY] = {"token": token, "suffix": suffix, "filename": upload.name}
    return target


def _done_url() -> str:
    try:
        return reverse("orgchart:tree")
    except NoReverseMatch:
        return reverse("orgchart:import")


def _columns():
    return [(column, COLUMN_HELP[column.key]) for column in ORG_COLUMNS]


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """GET: the upload form; POST: check the file (dry run) and show the preview."""
    require_hr(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _forget_pending(request)
        _remove_stale_uploads()
        upload = form.cleaned_data["file"]
        kept = _keep_upload(request, upload)
        context = {"filename": upload.name}
        try:
            report = org_import(table=org_read(kept), by=request.user, dry_run=True)
        except TableError as exc:
            context.update(file_error=exc.message, errors=exc.errors)
        else:
            context.update(report=report, errors=report.errors)
        if context["errors"] or context.get("file_error"):
            _forget_pending(request)
            context["form"] = UploadForm()
        return render(request, "orgchart/import_preview.html", context)
    return render(request, "orgchart/import.html", {"form": form, "columns": _columns()})


@login_required
@require_POST
def import_confirm(request):
    """Import the file checked at the preview step, all or nothing; or cancel it."""
    require_hr(request.user)
    kept = _pending_path(request)
    if request.POST.get("action") == "cancel" or kept is None:
        _forget_pending(request)
        if kept is None and request.POST.get("action") != "cancel":
            messages.error(request, _("ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง"))
        return redirect("orgchart:import")
    filename = request.session[SESSION_KEY].get("filename", kept.name)
    try:
        report = org_import(table=org_read(kept), by=request.user, dry_run=False)
    except TableError as exc:
        report, file_error, errors = None, exc.message, exc.errors
    else:
        file_error, errors = None, report.errors
    _forget_pending(request)
    if file_error or errors:
        # The database changed since the preview (someone else edited the tree).
        context = {"filename": filename, "file_error": file_error, "errors": errors}
        context.update(report=report, form=UploadForm(), confirm_failed=True)
        return render(request, "orgchart/import_preview.html", context)
    summary = _("นำเข้าเรียบร้อย: สร้างใหม่ %(created)s รายการ แก้ไข %(updated)s รายการ")
    summary += " " + _("ไม่เปลี่ยนแปลง %(unchanged)s รายการ")
    counts = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
    messages.success(request, summary % counts)
    return redirect(_done_url())


@login_required
@require_GET
def import_template(request):
    """An .xlsx with the Thai headers, an example row per kind, and a sheet explaining columns."""
    require_hr(request.user)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDE3EE", "border": 1})
    sheet = workbook.add_worksheet(_("นำเข้าโครงสร้าง"))
    for index, column in enumerate(ORG_COLUMNS):
        title = f"{column.label}*" if column.required else column.label
        sheet.write_string(0, index, title, bold)
        sheet.set_column(index, index, 18 if index != 3 else 32)
    for number, row in enumerate(EXAMPLE_ROWS, start=1):
        for index, value in enumerate(row):
            sheet.write_string(number, index, value)
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet(_("คำอธิบาย"))
    for index, title in enumerate((_("คอลัมน์"), _("ชื่อคอลัมน์ภาษาอังกฤษ"), _("จำเป็น"), _("ความหมาย"))):
        notes.write_string(0, index, title, bold)
    for number, (column, meaning) in enumerate(_columns(), start=1):
        required = _("จำเป็น") if column.required else ""
        for index, value in enumerate((column.label, column.key, required, str(meaning))):
            notes.write_string(number, index, value)
    notes.set_column(0, 2, 18)
    notes.set_column(3, 3, 70)
    workbook.close()
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="org-import-template.xlsx"'
    return response


import_urlpatterns = [
    path("import/", import_upload, name="import"),
    path("import/confirm/", import_confirm, name="import_confirm"),
    path("import/template.xlsx", import_template, name="import_template"),
]
