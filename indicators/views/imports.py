"""HR pages: import KPI plans (upload, preview, confirm), the template, carry-forward.

The flow (dry run, the file kept privately with its round between preview
and confirm, re-checked when confirmed) is kpi_portal.import_flow's. HR
import into their own department (an owner elsewhere is a row error);
administrators anywhere; others get 403.
URL patterns at the end of the module.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from indicators.carry import plans_carry_forward
from indicators.importer import KPI_COLUMNS, kpis_import, kpis_read
from indicators.models import Round
from kpi_portal.import_flow import (
    ImportPage,
    TableUploadForm,
    TemplateSheet,
    attempt,
    in_background,
    register_import,
    result_view,
    template_response,
)
from orgchart.access import require_hr, roles_of

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


class UploadForm(TableUploadForm):
    round = forms.ModelChoiceField(
        label=gettext_lazy("รอบการประเมิน"), queryset=Round.objects.none(), empty_label=None
    )
    field_order = ("round", "file")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = _planning_rounds()


def _import(path, params, user, *, dry_run: bool, progress=None):
    """Check (dry run) or import the kept file into params["round"]."""
    the_round = Round.objects.filter(pk=params.get("round") or 0).first()
    if the_round is None:
        raise ValidationError(_("ไม่พบรอบการประเมินที่ขอ"))
    return kpis_import(
        table=kpis_read(path, progress=progress),
        round=the_round,
        by=user,
        dry_run=dry_run,
        approve=bool(params.get("approve")),
    )


IMPORT = ImportPage(
    prefix="kpis",
    job_kind="indicators.kpi_import",
    check=_import,
    upload_url="indicators:import",
    result_url="indicators:import_result",
)
register_import(IMPORT, title=gettext_lazy("นำเข้าตัวชี้วัด"))


def _columns():
    return [(column, COLUMN_HELP[column.key]) for column in KPI_COLUMNS]


def _check(path, the_round: Round, user, *, dry_run: bool, approve: bool = False):
    params = {"round": the_round.pk, "approve": approve}
    return attempt(lambda: _import(path, params, user, dry_run=dry_run))


def _done(request, report, the_round: Round):
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
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """GET: the upload form; POST: check the file (dry run) and show the preview."""
    require_hr(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        pending = IMPORT.pending(request)
        upload, the_round = form.cleaned_data["file"], form.cleaned_data["round"]
        kept = pending.keep(upload, round=the_round.pk)
        background = in_background(IMPORT, request, kept, dry_run=True, round=the_round.pk)
        if background:
            return background
        outcome = _check(kept, the_round, request.user, dry_run=True)
        context = {"filename": upload.name, "round": the_round, **outcome.context()}
        if outcome.failed:
            pending.forget()
            context["form"] = UploadForm(initial={"round": the_round})
        return render(request, "indicators/import_preview.html", context)
    context = {"form": form, "columns": _columns(), "has_rounds": _planning_rounds().exists()}
    return render(request, "indicators/import.html", context)


@login_required
@require_POST
def import_confirm(request):
    """Import the file checked at the preview step, all or nothing; or cancel it."""
    require_hr(request.user)
    pending = IMPORT.pending(request)
    kept = pending.path
    the_round = Round.objects.filter(pk=pending.info.get("round") or 0).first()
    if request.POST.get("action") == "cancel" or kept is None or the_round is None:
        pending.forget()
        if request.POST.get("action") != "cancel":
            messages.error(request, _("ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง"))
        return redirect("indicators:import")
    approve = request.POST.get("approve") == "1"
    filename = pending.filename or kept.name
    background = in_background(
        IMPORT, request, kept, dry_run=False, round=the_round.pk, approve=approve
    )
    if background:
        return background
    outcome = _check(kept, the_round, request.user, dry_run=False, approve=approve)
    pending.forget()
    if outcome.failed:
        context = {"filename": filename, "round": the_round, "confirm_failed": True}
        context.update(outcome.context(), form=UploadForm(initial={"round": the_round}))
        return render(request, "indicators/import_preview.html", context)
    return _done(request, outcome.report, the_round)


def round_scope(params: dict) -> dict:
    """The round an import job was for, as its result view's context (404 once gone)."""
    the_round = Round.objects.filter(pk=params.get("round") or 0).first()
    if the_round is None:
        raise Http404("The round is gone")
    return {"round": the_round}


import_result = result_view(
    IMPORT,
    template="indicators/import_preview.html",
    guard=require_hr,
    done=lambda request, report, round: _done(request, report, round),
    scope=round_scope,
    retry_form=lambda scope: UploadForm(initial={"round": scope["round"]}),
)


@login_required
@require_GET
def import_template(request):
    """An .xlsx with the Thai headers, example rows, and a sheet explaining the columns."""
    require_hr(request.user)
    return template_response(
        TemplateSheet(
            title=_("นำเข้าตัวชี้วัด"),
            columns=KPI_COLUMNS,
            meanings=_columns(),
            examples=EXAMPLE_ROWS,
            widths=lambda column: 30 if column.key in ("kpi", "kra", "job") else 14,
            filename="kpi-import-template.xlsx",
            also_required=frozenset({"level_1"}),
        )
    )


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
    path("import/jobs/<uuid:pk>/", import_result, name="import_result"),
    path("import/template.xlsx", import_template, name="import_template"),
    path("rounds/<int:pk>/carry-forward/", carry_forward, name="carry_forward"),
]
