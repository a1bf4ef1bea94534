"""manage.py reopen_round YYYY/N --department CODE --reason TEXT: reopen a round for one
department that closed it on its own (appraisals.closing.round_reopen)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from appraisals.closing import department_named
from appraisals.services import round_reopen
from indicators.rounds import get_round


class Command(BaseCommand):
    help = (
        "Reopen evaluation round YYYY/N for one department: its plans follow the round's "
        "status again, its placements are released, the reason goes in every plan's history."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="YYYY/N, e.g. 2569/1")
        parser.add_argument("--department", required=True, help="the department's code")
        parser.add_argument("--reason", required=True, help="why the round is reopened")

    def handle(self, *args, code, department, reason, **options):
        try:
            the_round = get_round(code)
            node = department_named(department)
            count = round_reopen(round=the_round, department=node, reason=reason, by=None)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(
            _("เปิดรอบ %(code)s ใหม่สำหรับ%(department)s แล้ว (%(count)s แผน)")
            % {"code": the_round.code, "department": node.name, "count": count}
        )
