from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from appraisals.reports import OfficerForm
from indicators.models import Plan
from indicators.rounds import get_round
from kpi_portal.exporters import write_workbook


class Command(BaseCommand):
    help = "Write one officer's achievement form (the official layout) to FILE.xlsx."

    def add_arguments(self, parser):
        parser.add_argument("round", help="YYYY/N, e.g. 2569/1")
        parser.add_argument("code", help="code of the officer (or unit) whose plan it is")
        parser.add_argument("file", help="the .xlsx file to write")

    def handle(self, *args, round, code, file, **options):
        try:
            the_round = get_round(round)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        plan = (
            Plan.objects.filter(round=the_round, owner__code=code)
            .select_related("round", "owner", "owner__parent")
            .first()
        )
        if plan is None:
            raise CommandError(
                _("ไม่พบแผนตัวชี้วัดของ %(code)s ในรอบ %(round)s")
                % {"code": code, "round": the_round.code}
            )
        try:
            write_workbook(OfficerForm(plan), file)
        except OSError as error:
            raise CommandError(
                _("เขียนไฟล์ %(file)s ไม่ได้: %(error)s") % {"file": file, "error": error}
            ) from None
        self.stdout.write(
            _("บันทึกแบบสรุปผลสัมฤทธิ์ของ %(code)s ที่ %(file)s แล้ว") % {"code": code, "file": file}
        )
