from django.utils.translation import gettext_lazy as _

from appraisals.importer import results_import, results_read
from indicators.import_command import RoundImportCommand


class Command(RoundImportCommand):
    help = (
        "Import actual results (kpi_code, actual, milestones_done, note) from an .xlsx or "
        ".csv file into round YYYY/N: all or nothing; --dry-run checks without saving."
    )
    read = staticmethod(results_read)
    load = staticmethod(results_import)
    imported = _(
        "นำเข้าผลการดำเนินงานเรียบร้อย: บันทึกใหม่ %(created)s รายการ "
        "แก้ไข %(updated)s รายการ ไม่เปลี่ยนแปลง %(unchanged)s รายการ"
    )
