"""manage.py import_org FILE [--dry-run]: units and people from a spreadsheet (FORMATS.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kpi_portal.tabular import TableError
from orgchart.importer import errors_text, org_import, org_read


class Command(BaseCommand):
    help = "Import the org tree and staff from an .xlsx or .csv file: the whole file or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx or .csv as FORMATS.md describes (Organization)")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("ไม่พบไฟล์ %(path)s") % {"path": path})
        try:
            table = org_read(path)
        except TableError as exc:
            lines = errors_text(exc.errors) or [exc.message]
            raise CommandError("\n".join(lines)) from None
        report = org_import(table=table, by=None, dry_run=options["dry_run"])
        if report.errors:
            for line in errors_text(report.errors):
                self.stderr.write(line)
            raise CommandError(
                _("พบข้อผิดพลาด %(count)s รายการ ไม่ได้บันทึกข้อมูลใด ๆ") % {"count": len(report.errors)}
            )
        summary = _(
            "สร้างใหม่ %(created)s รายการ แก้ไข %(updated)s รายการ ไม่เปลี่ยนแปลง %(unchanged)s รายการ"
        )
        summary %= {
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
        if report.users_created:
            summary += " " + _("สร้างบัญชีผู้ใช้ %(count)s บัญชี") % {"count": report.users_created}
        if options["dry_run"]:
            summary = _("ทดลองนำเข้า (ไม่บันทึก): %(summary)s") % {"summary": summary}
        self.stdout.write(self.style.SUCCESS(summary))
