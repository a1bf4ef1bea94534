"""HR page: import salary ranges or a round's salaries (upload, preview, confirm).

The flow is kpi_portal.import_flow's; anyone but HR and administrators gets
404 (salaries are not even hinted at). The rows are scoped by the importer:
HR import only people of their own department.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from indicators.models import Round
from kpi_portal.import_flow import (
    ImportPage,
    TableUploadForm,
    attempt,
    in_background,
    register_import,
    result_view,
)
from salaries.access import require_salary_access
from salaries.importer import (
    RANGE_COLUMNS,
    SALARY_COLUMNS,
    ranges_import,
    ranges_read,
    salaries_import,
    salaries_read,
)

RANGES, SALARIES = "ranges", "salaries"
COLUMN_HELP = {
    "code": gettext_lazy("รหัสบุคคลในโครงสร้างองค์กร"),
    "salary": gettext_lazy("เงินเดือนปัจจุบัน (บาท)"),
    "base": gettext_lazy("ฐานในการคำนวณของบุคคลนี้ (เว้นว่างเพื่อใช้ฐานตามช่วงเงินเดือน)"),
    "position_type": gettext_lazy("ประเภทตำแหน่ง เช่น ทั่วไป วิชาการ อำนวยการ บริหาร"),
    "position_level": gettext_lazy("ระดับตำแหน่ง (เว้นว่างเพื่อใช้ระดับในโครงสร้างองค์กร)"),
    "floor": gettext_lazy("เงินเดือนขั้นต่ำของช่วง"),
    "ceiling": gettext_lazy("เงินเดือนขั้นสูงของช่วง"),
    "midpoint": gettext_lazy("ค่ากลางของช่วง (เว้นว่างเพื่อคำนวณ)"),
    "lower_base": gettext_lazy("ฐานในการคำนวณช่วงล่าง (เว้นว่างเพื่อคำนวณ)"),
    "upper_base": gettext_lazy("ฐานในการคำนวณช่วงบน (เว้นว่างเพื่อคำนวณ)"),
}


class UploadForm(TableUploadForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("ข้อมูลที่นำเข้า"),
        choices=[
            (SALARIES, gettext_lazy("เงินเดือนของรอบการประเมิน")),
            (RANGES, gettext_lazy("ช่วงเงินเดือนตามประเภทและระดับตำแหน่ง")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    round = forms.ModelChoiceField(
        label=gettext_lazy("รอบการประเมิน (สำหรับเงินเดือน)"),
        queryset=Round.objects.exclude(status=Round.Status.CLOSED),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    field_order = ("kind", "round", "file")

    def clean(self):
        data = super().clean()
        if data.get("kind") == SALARIES and not data.get("round"):
            self.add_error("round", _("เลือกรอบการประเมินของเงินเดือน"))
        return data


def _import(path, params, user, *, dry_run: bool, progress=None):
    if params.get("kind") == RANGES:
        return ranges_import(table=ranges_read(path, progress=progress), by=user, dry_run=dry_run)
    the_round = Round.objects.filter(pk=params.get("round") or 0).first()
    if the_round is None:
        raise ValidationError(_("ไม่พบรอบการประเมินที่ขอ"))
    table = salaries_read(path, progress=progress)
    return salaries_import(table=table, round=the_round, by=user, dry_run=dry_run)


IMPORT = ImportPage(
    prefix="salaries",
    job_kind="salaries.import",
    check=_import,
    upload_url="salaries:import",
    result_url="salaries:import_result",
)
register_import(IMPORT, title=gettext_lazy("นำเข้าข้อมูลเงินเดือน"))


def _done(request, report):
    messages.success(
        request,
        _("นำเข้าเรียบร้อย: เพิ่ม %(created)s รายการ แก้ไข %(updated)s รายการ")
        % {"created": report.created, "updated": report.updated},
    )
    return redirect("salaries:index")


def _scope(params) -> dict:
    return {"kind": params.get("kind")}


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """GET: the upload form; POST: check the file (dry run) and show every bad row."""
    require_salary_access(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        pending = IMPORT.pending(request)
        upload, kind = form.cleaned_data["file"], form.cleaned_data["kind"]
        the_round = form.cleaned_data.get("round")
        params = {"kind": kind, "round": the_round.pk if the_round else None}
        kept = pending.keep(upload, **params)
        background = in_background(IMPORT, request, kept, dry_run=True, **params)
        if background:
            return background
        outcome = attempt(lambda: _import(kept, params, request.user, dry_run=True))
        if outcome.failed:
            pending.forget()
        context = {"filename": upload.name, "kind": kind, "round": the_round, "form": form}
        return render(request, "salaries/import_preview.html", {**context, **outcome.context()})
    columns = {
        SALARIES: [(c, COLUMN_HELP[c.key]) for c in SALARY_COLUMNS],
        RANGES: [(c, COLUMN_HELP[c.key]) for c in RANGE_COLUMNS],
    }
    return render(request, "salaries/import.html", {"form": form, "column_sets": columns})


@login_required
@require_POST
def import_confirm(request):
    """Import the file checked at the preview step, all or nothing; or cancel it."""
    require_salary_access(request.user)
    pending = IMPORT.pending(request)
    kept = pending.path
    params = {"kind": pending.info.get("kind"), "round": pending.info.get("round")}
    if request.POST.get("action") == "cancel" or kept is None:
        if request.POST.get("action") != "cancel":
            messages.error(request, _("ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง"))
        pending.forget()
        return redirect("salaries:import")
    filename = pending.filename or kept.name
    background = in_background(IMPORT, request, kept, dry_run=False, **params)
    if background:
        return background
    outcome = attempt(lambda: _import(kept, params, request.user, dry_run=False))
    pending.forget()
    if outcome.failed:
        context = {"filename": filename, "kind": params["kind"], "confirm_failed": True}
        context.update(outcome.context(), form=UploadForm())
        return render(request, "salaries/import_preview.html", context)
    return _done(request, outcome.report)


import_result = result_view(
    IMPORT,
    template="salaries/import_preview.html",
    guard=require_salary_access,
    done=lambda request, report, kind: _done(request, report),
    scope=_scope,
    retry_form=lambda scope: UploadForm(),
)

urlpatterns = [
    path("import/", import_upload, name="import"),
    path("import/confirm/", import_confirm, name="import_confirm"),
    path("import/jobs/<uuid:pk>/", import_result, name="import_result"),
]
