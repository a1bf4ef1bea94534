"""manage.py close_round YYYY/N [--department CODE]: close a round for good (DOMAIN.md)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from appraisals.closing import department_named
from appraisals.services import round_close
from indicators.rounds import get_round


class Command(BaseCommand):
    help = (
        "Close evaluation round YYYY/N, for one department (--department CODE) or for every "
        "department still open: lock it and freeze every placement and score."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="YYYY/N, e.g. 2569/1")
        parser.add_argument("--department", help="the department's code (the root of its tree)")

    def handle(self, *args, code, department=None, **options):
        try:
            the_round = get_round(code)
            node = department_named(department) if department else None
            summary = round_close(round=the_round, by=None, department=node)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        values = {
            "code": the_round.code,
            "plans": summary.plans,
            "individual": summary.individual_plans,
            "created": summary.appraisals_created,
            "unfinished": summary.unfinished,
        }
        if node is not None:
            values["code"] = f"{the_round.code} ({node.code} {node.name})"
        self.stdout.write(
            _(
                "ปิดรอบ %(code)s แล้ว: แผน %(plans)s แผน (ของบุคคล %(individual)s แผน) "
                "สร้างการประเมินที่ยังไม่มี %(created)s รายการ การประเมินที่ยังไม่เสร็จ %(unfinished)s รายการ"
            )
            % values
        )
