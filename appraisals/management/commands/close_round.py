"""manage.py close_round YYYY/N: close a round for good (FORMATS.md, DOMAIN.md)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from appraisals.services import round_close
from indicators.rounds import get_round


class Command(BaseCommand):
    help = "Close evaluation round YYYY/N: lock it and freeze every placement and score."

    def add_arguments(self, parser):
        parser.add_argument("code", help="YYYY/N, e.g. 2569/1")

    def handle(self, *args, code, **options):
        try:
            the_round = get_round(code)
            summary = round_close(round=the_round, by=None)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(
            _(
                "ปิดรอบ %(code)s แล้ว: แผน %(plans)s แผน (ของบุคคล %(individual)s แผน) "
                "สร้างการประเมินที่ยังไม่มี %(created)s รายการ การประเมินที่ยังไม่เสร็จ %(unfinished)s รายการ"
            )
            % {
                "code": the_round.code,
                "plans": summary.plans,
                "individual": summary.individual_plans,
                "created": summary.appraisals_created,
                "unfinished": summary.unfinished,
            }
        )
