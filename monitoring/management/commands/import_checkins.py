from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.rounds import get_round
from kpi_portal.tabular import TableError
from monitoring.importer import checkins_import, checkins_read


class Command(BaseCommand):
    help = (
        "Import progress check-ins (kpi_code, date, value or milestones_done, status, note) "
        "from an .xlsx or .csv file into round YYYY/N: all or nothing; the same kpi_code "
        "and date is the same check-in; --dry-run checks without saving."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument("--round", required=True, help="YYYY/N, e.g. 2569/1")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")

    def handle(self, *args, file, round, dry_run, **options):
        try:
            the_round = get_round(round)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        try:
            table = checkins_read(file)
        except TableError as error:
            self._print_errors(error.errors)
            raise CommandError(error.message) from None
        except OSError as error:
            raise CommandError(
                _("อ่านไฟล์ %(file)s ไม่ได้: %(error)s") % {"file": file, "error": error}
            ) from None
        # The command line is an administrator-level run: any department.
        report = checkins_import(table=table, round=the_round, by=None, dry_run=dry_run)
        if report.errors:
            self._print_errors(report.errors)
            raise CommandError(
                _("พบข้อผิดพลาด %(count)s รายการ ไม่ได้บันทึกข้อมูลใด ๆ") % {"count": len(report.errors)}
            )
        counts = {
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
        if dry_run:
            message = _(
                "ตรวจสอบแล้ว ไม่พบข้อผิดพลาด (ยังไม่ได้บันทึก): บันทึกใหม่ %(created)s รายการ "
                "แก้ไข %(updated)s รายการ ไม่เปลี่ยนแปลง %(unchanged)s รายการ"
            )
        else:
            message = _(
                "นำเข้ารายงานความก้าวหน้าเรียบร้อย: บันทึกใหม่ %(created)s รายการ "
                "แก้ไข %(updated)s รายการ ไม่เปลี่ยนแปลง %(unchanged)s รายการ"
            )
        self.stdout.write(message % counts)

    def _print_errors(self, errors):
        for error in errors:
            self.stderr.write(
                _("แถว %(row)s คอลัมน์ %(column)s (%(value)s): %(message)s")
                % {
                    "row": error.row,
                    "column": error.column,
                    "value": error.value,
                    "message": error.message,
                }
            )
