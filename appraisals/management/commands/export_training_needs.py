from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from appraisals.development_export import TrainingNeeds
from indicators.rounds import get_round
from kpi_portal.exporters import write_workbook


class Command(BaseCommand):
    help = (
        "Write every development-plan item of round YYYY/N to FILE.xlsx: the items, and the "
        "number of people per competency x unit x method (HR's training needs)."
    )

    def add_arguments(self, parser):
        parser.add_argument("round", help="YYYY/N, e.g. 2569/1")
        parser.add_argument("file", help="the .xlsx file to write")

    def handle(self, *args, round, file, **options):
        try:
            the_round = get_round(round)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        try:
            write_workbook(TrainingNeeds(the_round, None), file)  # every department
        except OSError as error:
            raise CommandError(
                _("เขียนไฟล์ %(file)s ไม่ได้: %(error)s") % {"file": file, "error": error}
            ) from None
        self.stdout.write(
            _("บันทึกความต้องการการพัฒนารอบ %(code)s ที่ %(file)s แล้ว")
            % {"code": the_round.code, "file": file}
        )
