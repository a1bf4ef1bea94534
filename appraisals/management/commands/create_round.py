import argparse
import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from appraisals.models import ScoringPolicy
from appraisals.policy import parse_weights, policy_save
from indicators.models import Round
from indicators.rounds import round_save


def iso_date(text: str) -> datetime.date:
    # argparse turns ArgumentTypeError into a usage error (a CommandError when
    # called from code); any other exception would escape as a traceback.
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("วันที่ต้องอยู่ในรูป YYYY-MM-DD (ได้รับ: %(text)s)") % {"text": text}
        ) from None


class Command(BaseCommand):
    help = "Create evaluation round YYYY/N (B.E.), or update it while it is not closed."

    def add_arguments(self, parser):
        parser.add_argument("code", help="YYYY/N, e.g. 2569/1")
        parser.add_argument("--start", type=iso_date)
        parser.add_argument("--end", type=iso_date)
        parser.add_argument("--scoring", choices=ScoringPolicy.Method.values)
        parser.add_argument("--floor", type=int, choices=[0, 1])
        parser.add_argument("--weights", help="achievement/competency[/other], e.g. 70/30")
        parser.add_argument(
            "--status",
            choices=[Round.Status.PLANNING, Round.Status.TRACKING, Round.Status.ASSESSMENT],
        )

    def handle(self, *args, code, start, end, scoring, floor, weights, status, **options):
        try:
            parsed_weights = parse_weights(weights) if weights else None
            with transaction.atomic():
                the_round, created = round_save(code=code, start=start, end=end, status=status)
                policy = policy_save(
                    round=the_round, method=scoring, floor=floor, weights=parsed_weights
                )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        if created:
            message = _("สร้างรอบ %(code)s: %(start)s ถึง %(end)s สถานะ %(status)s คิดคะแนน%(method)s")
        else:
            message = _(
                "ปรับปรุงรอบ %(code)s: %(start)s ถึง %(end)s สถานะ %(status)s คิดคะแนน%(method)s"
            )
        self.stdout.write(
            message
            % {
                "code": the_round.code,
                "start": the_round.start.isoformat(),
                "end": the_round.end.isoformat(),
                "status": the_round.get_status_display(),
                "method": policy.get_method_display(),
            }
        )
