"""HR page: import actual results from a spreadsheet (upload, preview, confirm).

The page is indicators.views.round_import's, over the results reader and
import service: results are accepted while the round is tracking or in
assessment.
"""

from django.urls import path
from django.utils.translation import gettext_lazy

from appraisals.importer import RESULT_COLUMNS, results_import, results_read
from indicators.models import Round
from indicators.views.round_import import RoundImport, round_import_views

COLUMN_HELP = {
    "kpi_code": gettext_lazy("รหัสตัวชี้วัดในรอบการประเมิน (ตามที่นำเข้าหรือกำหนดในแผน)"),
    "actual": gettext_lazy("ผลการดำเนินงานที่วัดได้ (ตัวเลข) จำเป็นสำหรับเกณฑ์มากดี/น้อยดี"),
    "milestones_done": gettext_lazy("จำนวนขั้นตอนที่สำเร็จ นับจากขั้นแรก (0-5) จำเป็นสำหรับเกณฑ์ขั้นตอน"),
    "note": gettext_lazy("หลักฐานหรือคำอธิบาย (เว้นว่างเพื่อคงหมายเหตุเดิม)"),
}

VIEWS = round_import_views(
    RoundImport(
        namespace="appraisals",
        prefix="results",
        job_kind="appraisals.results_import",
        title=gettext_lazy("นำเข้าผลการดำเนินงาน"),
        statuses=(Round.Status.TRACKING, Round.Status.ASSESSMENT),
        columns=tuple(RESULT_COLUMNS),
        column_help=COLUMN_HELP,
        read=results_read,
        load=results_import,
        done=gettext_lazy(
            "นำเข้าผลการดำเนินงานเรียบร้อย: บันทึกใหม่ %(created)s รายการ "
            "แก้ไข %(updated)s รายการ ไม่เปลี่ยนแปลง %(unchanged)s รายการ"
        ),
        template_dir="appraisals",
        examples=(("G01-1", 12, "", "รายงานผลครบ 12 ฉบับ"), ("G01-2", "", 4, "")),
        template_filename="result-import-template.xlsx",
    )
)
IMPORT = VIEWS.page
import_upload, import_confirm, import_result = VIEWS.upload, VIEWS.confirm, VIEWS.result
import_template = VIEWS.template

urlpatterns = [
    path("import/", import_upload, name="import"),
    path("import/confirm/", import_confirm, name="import_confirm"),
    path("import/template.xlsx", import_template, name="import_template"),
    path("import/jobs/<uuid:pk>/", import_result, name="import_result"),
]
