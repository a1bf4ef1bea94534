from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from indicators.rounds import get_round
from monitoring import kept
from monitoring.models import UnitFigure


class Command(BaseCommand):
    help = (
        "Recompute the monitoring page's kept figures (KPIs per unit, latest status and "
        "date) from the KPIs, plans, tree and check-ins: of round YYYY/N, or of every round. "
        "The database keeps them as data changes; this is for safety, e.g. after a restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("--round", dest="round_code", help="YYYY/N (default: every round)")

    def handle(self, *args, round_code=None, **options):
        the_round = None
        if round_code:
            try:
                the_round = get_round(round_code)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            kept.rebuild(connection, the_round.pk if the_round else None)
        rows = UnitFigure.objects.all()
        if the_round is not None:
            rows = rows.filter(round=the_round)
        self.stdout.write(
            _("คำนวณตัวเลขการติดตามผลใหม่แล้ว: %(rows)s แถว") % {"rows": f"{rows.count():,}"}
        )
