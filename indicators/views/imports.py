"""HR pages: import KPI plans (upload, preview, confirm), the template, carry-forward.

The upload is checked with a dry run and kept in PRIVATE_MEDIA_ROOT/uploads
under a random name remembered in the session (with the round); the confirm
step reads that file again and imports it for real, re-checked against the
database as it is at that moment. HR import into their own department (an
owner elsewhere is a row error); administrators anywhere; others get 403.
URL patterns at the end of the module.
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
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from indicators.carry import plans_carry_forward
from indicators.importer import KPI_COLUMNS, kpis_import, kpis_read
from indicators.models import Round
from kpi_portal.tabular import TableError, check_upload_size
from orgchart.access import require_hr, roles_of

SESSION_KEY = "kpi_import"
SUFFIXES = (".xlsx", ".csv")
STALE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")

COLUMN_HELP = {
    "owner_code": gettext_lazy("รหัสของหน่วยงานหรือบุคคลเจ้าของแผน"),
    "job": gettext_lazy("งานหรือโครงการ"),
    "kra": gettext_lazy("ผลสัมฤทธิ์หลัก แถวที่มีผู้รับผิดชอบ งาน และผลสัมฤทธิ์หลักเดียวกันรวมเป็นหนึ่งผลสัมฤทธิ์หลัก"),
    "kpi_code": gettext_lazy("รหัสตัวชี้วัด ไม่ซ้ำกันในรอบ ใช้จับคู่กับข้อมูลเดิม"),
    "kpi": gettext_lazy("ชื่อตัวชี้วัด"),
    "unit": gettext_lazy("หน่วยนับ เช่น ร้อยละ ครั้ง เรื่อง วัน บาท"),
    "scale": gettext_lazy("มากดี, น้อยดี หรือ ขั้นตอน/ระดับความสำเร็จ"),
    "level_1": gettext_lazy("ค่าเป้าหมายระดับ 1 (เว้นว่างได้สำหรับเกณฑ์ตัวเลข) หรือคำอธิบายขั้นที่ 1"),
    "level_2": gettext_lazy("ค่าเป้าหมายระดับ 2 หรือคำอธิบายขั้นที่ 2"),
    "level_3": gettext_lazy("ค่าเป้าหมายระดับ 3 (มาตรฐาน) หรือคำอธิบายขั้นที่ 3"),
    "level_4": gettext_lazy("ค่าเป้าหมายระดับ 4 หรือคำอธิบายขั้นที่ 4"),
    "level_5": gettext_lazy("ค่าเป้าหมายระดับ 5 (ท้าทาย) หรือคำอธิบายขั้นที่ 5"),
    "weight": gettext_lazy("น้ำหนัก (ร้อยละ) น้ำหนักของแผนหนึ่งรวมกันต้องเท่ากับ 100"),
    "parent_kpi_code": gettext_lazy("รหัสตัวชี้วัดของผู้บังคับบัญชาที่ถ่ายทอดมา (ถ้ามี)"),
    "cascade": gettext_lazy("ถ่ายทอดโดยตรง, แบ่งค่าเป้าหมาย หรือ มอบบางส่วน (เมื่อมีตัวชี้วัดต้นทาง)"),
    "category": gettext_lazy("ปริมาณ, คุณภาพ, เวลา หรือ ความคุ้มค่า"),
    "method": gettext_lazy("วิธีการประเมินและแหล่งข้อมูล"),
}
EXAMPLE_ROWS = (
    (
        "G01",
        "งานติดตามและประเมินผล",
        "รายงานผลทันเวลา",
        "G01-1",
        "จำนวนรายงานที่จัดทำแล้วเสร็จ",
        "เรื่อง",
        "มากดี",
        "",
        20,
        24,
        28,
        32,
        100,
        "",
        "",
        "ปริมาณ",
        "นับจากทะเบียนรายงาน",
    ),
    (
        "P0001",
        "งานติดตามและประเมินผล",
        "รายงานผลทันเวลา",
        "G01-1-P0001",
        "จำนวนรายงานที่จัดทำแล้วเสร็จ",
        "เรื่อง",
        "มากดี",
        "",
        10,
        12,
        14,
        16,
        60,
        "G01-1",
        "แบ่งค่าเป้าหมาย",
        "ปริมาณ",
        "นับจากทะเบียนรายงาน",
    ),
    (
        "P0001",
        "งานพัฒนาระบบ",
        "ระบบใช้งานได้",
        "P0001-2",
        "ระดับความสำเร็จของการพัฒนาระบบรายงาน",
        "ระดับ",
        "ขั้นตอน",
        "วิเคราะห์ความต้องการ",
        "ออกแบบระบบ",
        "พัฒนาระบบ",
        "ทดสอบ",
        "ใช้งานจริง",
        40,
        "",
        "",
        "คุณภาพ",
        "หลักฐานการส่งมอบ",
    ),
)


def _planning_rounds():
    return Round.objects.filter(status=Round.Status.PLANNING).order_by("-fiscal_year", "-number")


class UploadForm(forms.Form):
    round = forms.ModelChoiceField(
        label=gettext_lazy("รอบการประเมิน"), queryset=Round.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=gettext_lazy("ไฟล์ .xlsx หรือ .csv"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = _planning_rounds()

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
    if not _TOKEN.match(token) or suffix not in SUFFIXES:
        return None, pending
    found = _upload_dir() / f"kpis-{token}{suffix}"
    return (found if found.is_file() else None), pending


def _forget_pending(request) -> None:
    found, _info = _pending(request)
    if found is not None:
        found.unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


def _remove_stale_uploads() -> None:
    """Uploads abandoned at the preview step are removed after a day."""
    limit = time.time() - STALE_SECONDS
    for old in _upload_dir().glob("kpis-*"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass  # another request removed it first


def _keep_upload(request, upload, the_round: Round) -> Path:
    suffix = Path(upload.name).suffix.lower()
    token = secrets.token_hex(16)
    target = _upload_dir() / f"kpis-{token}{suffix}"
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


def _columns():
    return [(column, COLUMN_HELP[column.key]) for column in KPI_COLUMNS]


def _run(request, path: Path, the_round: Round, *, dry_run: bool, approve: bool = False):
    """(report, file_error, errors) for the kept file."""
    try:
        report = kpis_import(
            table=kpis_read(path),
            round=the_round,
            by=request.user,
            dry_run=dry_run,
            approve=approve,
        )
    except TableError as exc:
        return None, exc.message, exc.errors
    return report, None, report.errors


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """GET: the upload form; POST: check the file (dry run) and show the preview."""
    require_hr(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _forget_pending(request)
        _remove_stale_uploads()
        upload, the_round = form.cleaned_data["file"], form.cleaned_data["round"]
        kept = _keep_upload(request, upload, the_round)
        report, file_error, errors = _run(request, kept, the_round, dry_run=True)
        context = {
            "filename": upload.name,
            "round": the_round,
            "report": report,
            "file_error": file_error,
            "errors": errors,
        }
        if errors or file_error:
            _forget_pending(request)
            context["form"] = UploadForm(initial={"round": the_round})
        return render(request, "indicators/import_preview.html", context)
    context = {"form": form, "columns": _columns(), "has_rounds": _planning_rounds().exists()}
    return render(request, "indicators/import.html", context)


@login_required
@require_POST
def import_confirm(request):
    """Import the file checked at the preview step, all or nothing; or cancel it."""
    require_hr(request.user)
    kept, info = _pending(request)
    the_round = Round.objects.filter(pk=info.get("round")).first()
    if request.POST.get("action") == "cancel" or kept is None or the_round is None:
        _forget_pending(request)
        if request.POST.get("action") != "cancel":
            messages.error(request, _("ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง"))
        return redirect("indicators:import")
    approve = request.POST.get("approve") == "1"
    report, file_error, errors = _run(request, kept, the_round, dry_run=False, approve=approve)
    _forget_pending(request)
    if file_error or errors:
        context = {
            "filename": info.get("filename", kept.name),
            "round": the_round,
            "report": report,
            "file_error": file_error,
            "errors": errors,
            "form": UploadForm(initial={"round": the_round}),
            "confirm_failed": True,
        }
        return render(request, "indicators/import_preview.html", context)
    summary = _(
        "นำเข้าตัวชี้วัดรอบ %(round)s เรียบร้อย: ตัวชี้วัดใหม่ %(created)s แก้ไข %(updated)s "
        "ไม่เปลี่ยนแปลง %(unchanged)s (แผนใหม่ %(plans)s แผน อนุมัติ %(approved)s แผน)"
    ) % {
        "round": the_round.code,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "plans": report.plans_created,
        "approved": report.plans_approved,
    }
    messages.success(request, summary)
    return redirect("indicators:import")


@login_required
@require_GET
def import_template(request):
    """An .xlsx with the Thai headers, example rows, and a sheet explaining the columns."""
    require_hr(request.user)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDE3EE", "border": 1})
    sheet = workbook.add_worksheet(_("นำเข้าตัวชี้วัด"))
    for index, column in enumerate(KPI_COLUMNS):
        sheet.write_string(0, index, f"{column.label}*" if column.required else column.label, bold)
        sheet.set_column(index, index, 30 if column.key in ("kpi", "kra", "job") else 14)
    for number, values in enumerate(EXAMPLE_ROWS, start=1):
        for index, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(number, index, value)
            elif value:
                sheet.write_string(number, index, value)
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet(_("คำอธิบาย"))
    for index, title in enumerate((_("คอลัมน์"), _("ชื่อคอลัมน์ภาษาอังกฤษ"), _("จำเป็น"), _("ความหมาย"))):
        notes.write_string(0, index, title, bold)
    for number, (column, meaning) in enumerate(_columns(), start=1):
        required = _("จำเป็น") if column.required or column.key == "level_1" else ""
        for index, value in enumerate((column.label, column.key, required, str(meaning))):
            notes.write_string(number, index, value)
    notes.set_column(0, 2, 20)
    notes.set_column(3, 3, 80)
    workbook.close()
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="kpi-import-template.xlsx"'
    return response


@login_required
@require_POST
def carry_forward(request, pk):
    """Make the target round's draft plans from an earlier round's (HR: own department)."""
    roles = require_hr(request.user)
    target = Round.objects.filter(pk=pk).first()
    source = Round.objects.filter(pk=request.POST.get("source") or 0).first()
    if target is None or source is None:
        raise Http404
    scope = None if roles.is_admin else roles_of(request.user).node.tree_id
    try:
        result = plans_carry_forward(source=source, target=target, tree_id=scope, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "ยกแผนจากรอบ %(source)s มารอบ %(target)s: %(plans)s แผน %(kpis)s ตัวชี้วัด "
                "(ข้าม %(skipped)s รายที่มีตัวชี้วัดในรอบ %(target)s แล้ว)"
            )
            % {
                "source": source.code,
                "target": target.code,
                "plans": result.plans,
                "kpis": result.kpis,
                "skipped": result.skipped,
            },
        )
    try:
        return redirect(reverse("indicators:rounds"))
    except NoReverseMatch:
        return redirect("indicators:import")


urlpatterns = [
    path("import/", import_upload, name="import"),
    path("import/confirm/", import_confirm, name="import_confirm"),
    path("import/template.xlsx", import_template, name="import_template"),
    path("rounds/<int:pk>/carry-forward/", carry_forward, name="carry_forward"),
]
