from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.rounds import get_round
from kpi_portal.tabular import TableError
from salaries.importer import salaries_import, salaries_read


def print_errors(command, errors) -> None:
    for error in errors:
        command.stderr.write(
            _("แถว %(row)s คอลัมน์ %(column)s (%(value)s): %(message)s")
            % {
                "row": error.row,
                "column": error.column,
                "value": error.value,
                "message": error.message,
            }
        )


def read_or_fail(command, reader, file):
    try:
        return reader(file)
    except TableError as error:
        print_errors(command, error.errors)
        raise CommandError(error.message) from None
    except OSError as error:
        raise CommandError(
            _("อ่านไฟล์ %(file)s ไม่ได้: %(error)s") % {"file": file, "error": error}
        ) from None


def finish(command, report, dry_run: bool) -> None:
    if report.errors:
        print_errors(command, report.errors)
        raise CommandError(
            _("พบข้อผิดพลาด %(count)s รายการ ไม่ได้บันทึกข้อมูลใด ๆ") % {"count": len(report.errors)}
        )
    counts = {"created": report.created, "updated": report.updated}
    if dry_run:
        message = _(
            "ตรวจสอบแล้ว ไม่พบข้อผิดพลาด (ยังไม่ได้บันทึก): เพิ่ม %(created)s รายการ แก้ไข %(updated)s รายการ"
        )
    else:
        message = _("นำเข้าเรียบร้อย: เพิ่ม %(created)s รายการ แก้ไข %(updated)s รายการ")
    command.stdout.write(message % counts)


class Command(BaseCommand):
    help = (
        "Import the salaries of round YYYY/N (code, salary, optional base, position_type, "
        "position_level) from an .xlsx or .csv file: all or nothing; --dry-run checks only."
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
        table = read_or_fail(self, salaries_read, file)
        # The command line is an administrator-level run: any department.
        report = salaries_import(table=table, round=the_round, by=None, dry_run=dry_run)
        finish(self, report, dry_run)
