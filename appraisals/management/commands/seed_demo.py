"""`manage.py seed_demo`: the demo agency, its logins and round 2569/1.

A command is an entry point, not a module anyone imports, so it may reach the
round services of `indicators` and `appraisals` (the tree itself is built by
`orgchart.demo` alone).
"""

import logging
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from appraisals.demo_history import current_round_start, past_round_save
from appraisals.policy import policy_for
from indicators.models import Round
from indicators.rounds import parse_round_code, round_save
from orgchart.demo import DEMO_PASSWORD, demo_agency_save
from orgchart.models import Node

DEMO_ROUND = "2569/1"


def width(text: str) -> int:
    """Columns `text` takes in a terminal: Thai vowel and tone marks take none."""
    return sum(unicodedata.category(char) not in ("Mn", "Me", "Cf") for char in text)


def pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


class Command(BaseCommand):
    help = (
        "Build a demo agency with logins (password demo1234) and round 2569/1. "
        "Safe to run again: nothing changes the second time. Refuses to run with "
        "DEBUG off unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="run with DEBUG off (creates an 'admin' account with a known password)",
        )
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="skip the closed round 2568/2 and the plans carried into 2569/1",
        )

    def handle(self, *args, force=False, no_history=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "seed_demo สร้างบัญชีผู้ดูแลระบบที่ใช้รหัสผ่านสาธิต จึงทำงานเฉพาะเมื่อ DEBUG=1 "
                    "(ใช้ --force หากต้องการจริง ๆ)"
                )
            )
        # One log line per node is noise here; -v 2 shows them.
        tree_log = logging.getLogger("kpi_portal.orgchart")
        level = tree_log.level
        if options.get("verbosity", 1) < 2:
            tree_log.setLevel(logging.WARNING)
        try:
            with transaction.atomic():
                result = demo_agency_save()
                the_round = self.demo_round()
                past = None if no_history else self.demo_history(the_round)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        finally:
            tree_log.setLevel(level)
        self.stdout.write(
            _("หน่วยงานสาธิต: สร้างใหม่ %(created)d ปรับปรุง %(updated)d ไม่เปลี่ยนแปลง %(unchanged)d")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
        self.stdout.write(
            _("รอบการประเมิน %(code)s สถานะ %(status)s")
            % {"code": the_round.code, "status": the_round.get_status_display()}
        )
        if past is not None:
            self.stdout.write(
                _(
                    "รอบ %(past)s: ปิดรอบแล้ว พร้อมผลการประเมินของทุกคน; "
                    "ยกแผนมารอบ %(code)s เป็นร่าง และส่งขออนุมัติแล้ว %(sent)d แผน"
                )
                % {"past": past[0].code, "code": the_round.code, "sent": past[1]}
            )
        self.print_logins(result.logins)

    def demo_history(self, current: Round):
        """(round 2568/2, plans sent) when built now; None when it was there already."""
        hr = Node.objects.filter(user__username="hr", is_hr=True).select_related("user").first()
        if hr is None or not current.is_planning:
            return None
        past = past_round_save(hr=hr)
        if past is None:
            return None
        return past, current_round_start(source=past, target=current, hr=hr)

    def demo_round(self) -> Round:
        """Round 2569/1, created once; a later run leaves its dates and status alone."""
        fiscal_year, number = parse_round_code(DEMO_ROUND)
        the_round = Round.objects.filter(fiscal_year=fiscal_year, number=number).first()
        if the_round is None:
            the_round, _created = round_save(code=DEMO_ROUND)
        policy_for(the_round)
        return the_round

    def print_logins(self, logins) -> None:
        header = (_("ชื่อผู้ใช้"), _("บทบาท"), _("ชื่อ-สกุล"), _("หน่วยงาน"))
        rows = [header] + [(x.username, x.role, x.name, x.unit) for x in logins]
        columns = [max(width(row[i]) for row in rows) for i in range(len(header))]
        self.stdout.write("")
        self.stdout.write(_("บัญชีสาธิต (รหัสผ่านทุกบัญชี: %(password)s)") % {"password": DEMO_PASSWORD})
        rule = "  ".join("-" * n for n in columns)
        for index, row in enumerate(rows):
            self.stdout.write(
                "  ".join(pad(cell, n) for cell, n in zip(row, columns, strict=True)).rstrip()
            )
            if index == 0:
                self.stdout.write(rule)
