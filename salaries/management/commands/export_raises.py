from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.rounds import get_round
from kpi_portal.exporters import write_workbook
from salaries.access import salary_view_log
from salaries.exports import RaiseAnnouncement
from salaries.models import RaiseList, SalaryViewLog


class Command(BaseCommand):
    help = (
        "Write the salary-raise announcement list of round YYYY/N to FILE.xlsx "
        "(one department with --department CODE, else the only list of the round)."
    )

    def add_arguments(self, parser):
        parser.add_argument("round", help="YYYY/N, e.g. 2569/1")
        parser.add_argument("file", help="the .xlsx file to write")
        parser.add_argument("--department", help="code of the department")

    def handle(self, *args, round, file, department, **options):
        try:
            the_round = get_round(round)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        lists = RaiseList.objects.filter(round=the_round).select_related("round", "department")
        if department:
            lists = lists.filter(department__code=department)
        found = list(lists[:2])
        if not found:
            raise CommandError(_("ไม่พบบัญชีการเลื่อนเงินเดือนของรอบ %(code)s") % {"code": the_round.code})
        if len(found) > 1:
            raise CommandError(_("รอบนี้มีหลายส่วนราชการ ให้ระบุ --department"))
        exporter = RaiseAnnouncement(found[0])
        try:
            write_workbook(exporter, file)
        except OSError as error:
            raise CommandError(
                _("เขียนไฟล์ %(file)s ไม่ได้: %(error)s") % {"file": file, "error": error}
            ) from None
        salary_view_log(
            user=None,
            kind=SalaryViewLog.Kind.COMMAND,
            raise_list=found[0],
            scope="all",
            count=exporter.total_rows(),
        )
        self.stdout.write(
            _("บันทึกบัญชีการเลื่อนเงินเดือนรอบ %(code)s ที่ %(file)s แล้ว")
            % {"code": the_round.code, "file": file}
        )
