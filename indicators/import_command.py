"""The command-line side of a round's import: one shape for every `import_* FILE --round`.

A command names its reader, its import service and its success message; this
base reads the file, prints every bad row (row, column, value, message) and
exits non-zero on any error, so an import from cron fails loudly and saves
nothing, exactly as its page does.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.rounds import get_round
from kpi_portal.tabular import TableError

CHECKED = gettext_lazy(
    "ตรวจสอบแล้ว ไม่พบข้อผิดพลาด (ยังไม่ได้บันทึก): บันทึกใหม่ %(created)s รายการ "
    "แก้ไข %(updated)s รายการ ไม่เปลี่ยนแปลง %(unchanged)s รายการ"
)


class RoundImportCommand(BaseCommand):
    """`manage.py import_x FILE --round YYYY/N [--dry-run]` over `read` and `load`."""

    # Set by each command: read(path) -> table; load(*, table, round, by, dry_run) -> report
    # with .errors, .created, .updated, .unchanged; `imported` is the success message.
    read = None
    load = None
    imported = ""

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
            table = type(self).read(file)
        except TableError as error:
            self._print_errors(error.errors)
            raise CommandError(error.message) from None
        except OSError as error:
            raise CommandError(
                _("อ่านไฟล์ %(file)s ไม่ได้: %(error)s") % {"file": file, "error": error}
            ) from None
        # The command line is an administrator-level run: any department.
        report = type(self).load(table=table, round=the_round, by=None, dry_run=dry_run)
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
        self.stdout.write(str(CHECKED if dry_run else self.imported) % counts)

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
