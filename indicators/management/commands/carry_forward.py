"""manage.py carry_forward FROM TO [--owner CODE ...] [--user USERNAME]."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.carry import plans_carry_forward
from indicators.rounds import get_round
from orgchart.models import Node


class Command(BaseCommand):
    help = (
        "Copy the plans of round SOURCE into round TARGET as drafts "
        "(owners with KPIs in TARGET are skipped)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="the earlier round, YYYY/N, e.g. 2569/1")
        parser.add_argument("target", help="the round in planning to fill, YYYY/N, e.g. 2569/2")
        parser.add_argument(
            "--owner",
            action="append",
            default=None,
            help="code of an owner to carry (may be given several times; default: everyone)",
        )
        parser.add_argument("--user", help="username recorded in the plans' history")

    def handle(self, *args, **options):
        try:
            source, target = get_round(options["source"]), get_round(options["target"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        owners = None
        if options["owner"]:
            owners = list(Node.objects.filter(code__in=options["owner"]))
            missing = set(options["owner"]) - {node.code for node in owners}
            if missing:
                raise CommandError(_("ไม่พบรหัส %(codes)s") % {"codes": ", ".join(sorted(missing))})
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("ไม่พบผู้ใช้ %(user)s") % {"user": options["user"]})
        try:
            result = plans_carry_forward(source=source, target=target, owners=owners, by=user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("ยกแผนมา %(plans)s แผน %(kpis)s ตัวชี้วัด ข้าม %(skipped)s ราย")
                % {"plans": result.plans, "kpis": result.kpis, "skipped": result.skipped}
            )
        )
