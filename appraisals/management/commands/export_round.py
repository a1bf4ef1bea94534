from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from appraisals.reports import RoundReport
from appraisals.summary import scope_unit
from indicators.rounds import get_round
from kpi_portal.exporters import write_workbook


class Command(BaseCommand):
    help = (
        "Write HR's round report (by unit, by officer, by KPI) to FILE.xlsx: "
        "the whole round, or the subtree of --unit CODE."
    )

    def add_arguments(self, parser):
        parser.add_argument("round", help="YYYY/N, e.g. 2569/1")
        parser.add_argument("file", help="the .xlsx file to write")
        parser.add_argument("--unit", help="code of a unit: report its subtree only")

    def handle(self, *args, round, file, unit, **options):
        try:
            the_round = get_round(round)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        scope = None
        if unit:
            try:
                scope = scope_unit(None, unit)
            except Http404:
                raise CommandError(_("ไม่พบหน่วยงานรหัส %(code)s") % {"code": unit}) from None
        # An administrator-level run: everything (user None), or the unit's subtree.
        exporter = RoundReport(the_round, None, scope)
        try:
            write_workbook(exporter, file)
        except OSError as error:
            raise CommandError(
                _("เขียนไฟล์ %(file)s ไม่ได้: %(error)s") % {"file": file, "error": error}
            ) from None
        self.stdout.write(
            _("บันทึกรายงานรอบ %(code)s ที่ %(file)s แล้ว") % {"code": the_round.code, "file": file}
        )
