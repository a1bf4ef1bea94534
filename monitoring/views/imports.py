"""HR page: import check-ins from a spreadsheet (upload, preview, confirm).

The flow (dry run, the file kept privately with its round between preview
and confirm, re-checked when confirmed, big files in the background) is
kpi_portal.import_flow's, as for the results import.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from indicators.models import Round
from indicators.views.imports import round_scope
from kpi_portal.import_flow import (
    ImportPage,
    TableUploadForm,
    attempt,
    in_background,
    register_import,
    result_view,
)
from monitoring.importer import CHECKIN_COLUMNS, checkins_import, checkins_read
from orgchart.access import require_hr

COLUMN_HELP = {
    "kpi_code": gettext_lazy("รหัสตัวชี้วัดในรอบการประเมิน"),
    "date": gettext_lazy("วันที่รายงาน: ปปปป-ดด-วว หรือ วว/ดด/ปปปป ปีเกิน 2400 ถือเป็น พ.ศ. นอกนั้นเป็น ค.ศ."),
    "value": gettext_lazy("ผลการดำเนินงานถึงวันที่รายงาน (ตัวเลข) สำหรับเกณฑ์มากดี/น้อยดี"),
    "milestones_done": gettext_lazy("จำนวนขั้นตอนที่สำเร็จแล้ว (0-5) สำหรับเกณฑ์ขั้นตอน"),
    "status": gettext_lazy(
        "ตามแผน / เสี่ยง / ล่าช้า (หรือ on_track / at_risk / off_track) เว้นว่างให้ระบบเสนอ"
    ),
    "note": gettext_lazy("หมายเหตุ"),
}


class UploadForm(TableUploadForm):
    round = forms.ModelChoiceField(
        label=gettext_lazy("รอบการประเมิน"),
        queryset=Round.objects.filter(status=Round.Status.TRACKING),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    field_order = ("round", "file")


def _import(path, params, user, *, dry_run: bool, progress=None):
    the_round = Round.objects.filter(pk=params.get("round") or 0).first()
    if the_round is None:
        raise ValidationError(_("ไม่พบรอบการประเมินที่ขอ"))
    table = checkins_read(path, progress=progress)
    return checkins_import(table=table, round=the_round, by=user, dry_run=dry_run)


IMPORT = ImportPage(
    prefix="checkins",
    job_kind="monitoring.checkins_import",
    check=_import,
    upload_url="monitoring:import",
    result_url="monitoring:import_result",
)
register_import(IMPORT, title=gettext_lazy("นำเข้ารายงานความก้าวหน้า"))


def _check(path, the_round: Round, user, *, dry_run: bool):
    return attempt(lambda: _import(path, {"round": the_round.pk}, user, dry_run=dry_run))


def _done(request, report):
    messages.success(
        request,
        _(
            "นำเข้ารายงานความก้าวหน้าเรียบร้อย: บันทึกใหม่ %(created)s รายการ "
            "แก้ไข %(updated)s รายการ ไม่เปลี่ยนแปลง %(unchanged)s รายการ"
        )
        % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect("monitoring:import")


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """GET: the upload form; POST: check the file (dry run) and show every bad row."""
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
        if outcome.failed:
            pending.forget()
        context = {"filename": upload.name, "round": the_round, "form": form}
        return render(request, "monitoring/import_preview.html", {**context, **outcome.context()})
    columns = [(column, COLUMN_HELP[column.key]) for column in CHECKIN_COLUMNS]
    return render(request, "monitoring/import.html", {"form": form, "columns": columns})


@login_required
@require_POST
def import_confirm(request):
    """Import the file checked at the preview step, all or nothing; or cancel it."""
    require_hr(request.user)
    pending = IMPORT.pending(request)
    kept = pending.path
    the_round = Round.objects.filter(pk=pending.info.get("round") or 0).first()
    if request.POST.get("action") == "cancel" or kept is None or the_round is None:
        if request.POST.get("action") != "cancel":
            messages.error(request, _("ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง"))
        pending.forget()
        return redirect("monitoring:import")
    filename = pending.filename or kept.name
    background = in_background(IMPORT, request, kept, dry_run=False, round=the_round.pk)
    if background:
        return background
    outcome = _check(kept, the_round, request.user, dry_run=False)
    pending.forget()
    if outcome.failed:
        context = {"filename": filename, "round": the_round, "confirm_failed": True}
        context.update(outcome.context(), form=UploadForm())
        return render(request, "monitoring/import_preview.html", context)
    return _done(request, outcome.report)


import_result = result_view(
    IMPORT,
    template="monitoring/import_preview.html",
    guard=require_hr,
    done=lambda request, report, round: _done(request, report),
    scope=round_scope,
    retry_form=lambda scope: UploadForm(),
)
