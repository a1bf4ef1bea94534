from django.utils.translation import gettext_lazy as _

from indicators.import_command import RoundImportCommand
from monitoring.importer import checkins_import, checkins_read


class Command(RoundImportCommand):
    help = (
        "Import progress check-ins (kpi_code, date, value or milestones_done, status, note) "
        "from an .xlsx or .csv file into round YYYY/N: all or nothing; the same kpi_code "
        "and date is the same check-in; --dry-run checks without saving."
    )
    read = staticmethod(checkins_read)
    load = staticmethod(checkins_import)
    imported = _(
        "นำเข้ารายงานความก้าวหน้าเรียบร้อย: บันทึกใหม่ %(created)s รายการ "
        "แก้ไข %(updated)s รายการ ไม่เปลี่ยนแปลง %(unchanged)s รายการ"
    )
