"""manage.py import_kpis FILE --round YYYY/N [--dry-run] [--approve] [--user USERNAME]."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.importer import errors_text, kpis_import, kpis_read
from indicators.rounds import get_round
from kpi_portal.tabular import TableError


class Command(BaseCommand):
    help = "Import KPI plans from an .xlsx or .csv file: the whole file or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx or .csv as FORMATS.md describes (KPI plans)")
        parser.add_argument("--round", required=True, help="the round, YYYY/N, e.g. 2569/1")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")
        parser.add_argument(
            "--approve",
            action="store_true",
            help="record the plans approved (agreements signed on paper); needs --user",
        )
        parser.add_argument(
            "--user", help="username of the importer (administrator or HR), kept in the history"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("ไม่พบไฟล์ %(path)s") % {"path": path})
        try:
            the_round = get_round(options["round"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("ไม่พบผู้ใช้ %(user)s") % {"user": options["user"]})
        if options["approve"] and user is None:
            raise CommandError(_("--approve ต้องระบุผู้อนุมัติด้วย --user USERNAME"))
        try:
            table = kpis_read(path)
        except TableError as exc:
            raise CommandError("\n".join(errors_text(exc.errors) or [exc.message])) from None
        try:
            report = kpis_import(
                table=table,
                round=the_round,
                by=user,
                dry_run=options["dry_run"],
                approve=options["approve"],
            )
        except PermissionDenied:
            raise CommandError(
                _("ผู้ใช้ %(user)s ไม่ใช่ผู้ดูแลระบบหรือเจ้าหน้าที่บุคคล") % {"user": options["user"]}
            ) from None
        if report.errors:
            for line in errors_text(report.errors):
                self.stderr.write(line)
            raise CommandError(
                _("พบข้อผิดพลาด %(count)s รายการ ไม่ได้บันทึกข้อมูลใด ๆ") % {"count": len(report.errors)}
            )
        summary = _(
            "%(owners)s แผน: ตัวชี้วัดใหม่ %(created)s แก้ไข %(updated)s ไม่เปลี่ยนแปลง %(unchanged)s "
            "(สร้างแผนใหม่ %(plans)s แผน อนุมัติ %(approved)s แผน)"
        ) % {
            "owners": report.owner_count,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "plans": report.plans_created,
            "approved": report.plans_approved,
        }
        if options["dry_run"]:
            summary = _("ทดลองนำเข้า (ไม่บันทึก): %(summary)s") % {"summary": summary}
        self.stdout.write(self.style.SUCCESS(summary))
