"""HR page: import check-ins from a spreadsheet (upload, preview, confirm).

The page is indicators.views.round_import's, as for the results import, over
the check-in reader and import service: check-ins only while the round is
tracking.
"""

from django.utils.translation import gettext_lazy

from indicators.models import Round
from indicators.views.round_import import RoundImport, round_import_views
from monitoring.importer import CHECKIN_COLUMNS, checkins_import, checkins_read

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

VIEWS = round_import_views(
    RoundImport(
        namespace="monitoring",
        prefix="checkins",
        job_kind="monitoring.checkins_import",
        title=gettext_lazy("นำเข้ารายงานความก้าวหน้า"),
        statuses=(Round.Status.TRACKING,),
        columns=tuple(CHECKIN_COLUMNS),
        column_help=COLUMN_HELP,
        read=checkins_read,
        load=checkins_import,
        done=gettext_lazy(
            "นำเข้ารายงานความก้าวหน้าเรียบร้อย: บันทึกใหม่ %(created)s รายการ "
            "แก้ไข %(updated)s รายการ ไม่เปลี่ยนแปลง %(unchanged)s รายการ"
        ),
        template_dir="monitoring",
        examples=(
            ("G01-1", "2570-10-31", 4, "", "", "รายงานประจำเดือนตุลาคม"),
            ("G01-2", "31/10/2569", "", 1, "เสี่ยง", ""),
        ),
        template_filename="checkin-import-template.xlsx",
    )
)
IMPORT = VIEWS.page
import_upload, import_confirm, import_result = VIEWS.upload, VIEWS.confirm, VIEWS.result
import_template = VIEWS.template
