"""HR page: import units and people from a spreadsheet (upload, preview, confirm).

The flow (dry run, the file kept privately between preview and confirm,
re-checked when confirmed) is kpi_portal.import_flow's.
URL patterns: `import_urlpatterns` at the end of the module.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

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
from orgchart.access import require_hr
from orgchart.importer import ORG_COLUMNS, org_import, org_read

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


def _import(path, params, user, *, dry_run: bool, progress=None):
    return org_import(table=org_read(path, progress=progress), by=user, dry_run=dry_run)


IMPORT = ImportPage(
    prefix="org",
    job_kind="orgchart.import",
    check=_import,
    upload_url="orgchart:import",
    result_url="orgchart:import_result",
)
register_import(IMPORT, title=gettext_lazy("นำเข้าโครงสร้างและบุคลากร"))


def _check(path, user, *, dry_run: bool):
    return attempt(lambda: _import(path, {}, user, dry_run=dry_run))


def _done(request, report):
    summary = _("นำเข้าเรียบร้อย: สร้างใหม่ %(created)s รายการ แก้ไข %(updated)s รายการ")
    summary += " " + _("ไม่เปลี่ยนแปลง %(unchanged)s รายการ")
    counts = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
    messages.success(request, summary % counts)
    return redirect(_done_url())


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
    form = TableUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        pending = IMPORT.pending(request)
        upload = form.cleaned_data["file"]
        kept = pending.keep(upload)
        if background := in_background(IMPORT, request, kept, dry_run=True):
            return background
        outcome = _check(kept, request.user, dry_run=True)
        context = {"filename": upload.name, **outcome.context()}
        if outcome.failed:
            pending.forget()
            context["form"] = TableUploadForm()
        return render(request, "orgchart/import_preview.html", context)
    return render(request, "orgchart/import.html", {"form": form, "columns": _columns()})


@login_required
@require_POST
def import_confirm(request):
    """Import the file checked at the preview step, all or nothing; or cancel it."""
    require_hr(request.user)
    pending = IMPORT.pending(request)
    kept = pending.path
    if request.POST.get("action") == "cancel" or kept is None:
        pending.forget()
        if kept is None and request.POST.get("action") != "cancel":
            messages.error(request, _("ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง"))
        return redirect("orgchart:import")
    filename = pending.filename or kept.name
    if background := in_background(IMPORT, request, kept, dry_run=False):
        return background
    outcome = _check(kept, request.user, dry_run=False)
    pending.forget()
    if outcome.failed:
        # The database changed since the preview (someone else edited the tree).
        context = {"filename": filename, **outcome.context()}
        context.update(form=TableUploadForm(), confirm_failed=True)
        return render(request, "orgchart/import_preview.html", context)
    return _done(request, outcome.report)


import_result = result_view(
    IMPORT, template="orgchart/import_preview.html", guard=require_hr, done=_done
)


@login_required
@require_GET
def import_template(request):
    """An .xlsx with the Thai headers, an example row per kind, and a sheet explaining columns."""
    require_hr(request.user)
    return template_response(
        TemplateSheet(
            title=_("นำเข้าโครงสร้าง"),
            columns=ORG_COLUMNS,
            meanings=_columns(),
            examples=EXAMPLE_ROWS,
            widths=lambda column: 32 if column.key == "name" else 18,
            filename="org-import-template.xlsx",
        )
    )


import_urlpatterns = [
    path("import/", import_upload, name="import"),
    path("import/confirm/", import_confirm, name="import_confirm"),
    path("import/jobs/<uuid:pk>/", import_result, name="import_result"),
    path("import/template.xlsx", import_template, name="import_template"),
]
