"""manage.py rebuild_result_tallies [YYYY/N]: recount what the dashboard reads of each plan."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from appraisals.tallies import tallies_rebuild
from indicators.rounds import get_round


class Command(BaseCommand):
    help = (
        "Recount every plan's KPIs without a result and its achievement so far "
        "(the dashboard's figures), from the KPIs and results, for one round or all."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", nargs="?", help="YYYY/N, e.g. 2569/1 (default: every round)")

    def handle(self, *args, code=None, **options):
        try:
            the_round = get_round(code) if code else None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        plans = tallies_rebuild(round=the_round)
        self.stdout.write(_("นับผลการดำเนินงานของแผนใหม่แล้ว %(plans)s แผน") % {"plans": plans})
