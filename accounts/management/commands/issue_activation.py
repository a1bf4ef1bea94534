"""manage.py issue_activation: first sign-in codes for a unit, a file or the passwordless."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import translation

from accounts import selection
from accounts.services import activation_issue
from accounts.sheet import ActivationSheet
from kpi_portal.exporters import write_workbook
from kpi_portal.tabular import TableError
from orgchart.models import Kind, Node


class Command(BaseCommand):
    help = (
        "Issue one-time activation codes (the same service as the HR page): for a unit "
        "(--unit CODE, its subtree), the people a file names (--file F: a column "
        "code/รหัส or username/ชื่อผู้ใช้), or everyone without a usable password "
        "(--all-without-password). Codes on paper go to --out (.xlsx); with --email, "
        "people with an address get a one-time link by e-mail instead (links point at SITE_URL). "
        "Issuing revokes a person's earlier codes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="unit code: everyone in it and below")
        parser.add_argument("--file", help=".xlsx or .csv naming people by code or username")
        parser.add_argument("--all-without-password", action="store_true")
        parser.add_argument(
            "--include-with-password",
            action="store_true",
            help="with --unit: also people who already have a password",
        )
        parser.add_argument("--out", required=True, help="the code sheet to write (.xlsx)")
        parser.add_argument("--email", action="store_true", help="e-mail people with an address")
        parser.add_argument("--user", help="record the codes as issued by this username")
        parser.add_argument("--language", default="th", choices=["th", "en"])

    def handle(self, *args, **options):
        chosen = [bool(options["unit"]), bool(options["file"]), options["all_without_password"]]
        if sum(chosen) != 1:
            raise CommandError("Give exactly one of --unit, --file, --all-without-password.")
        by = None
        if options["user"]:
            by = get_user_model().objects.filter(username=options["user"]).first()
            if by is None:
                raise CommandError(f"No user {options['user']!r}.")
        with translation.override(options["language"]):
            users, scope = self._choose(options, by)
            if not users:
                self.stdout.write("Nobody to issue for.")
                return
            outcome = activation_issue(
                users=users,
                by=by,
                email=options["email"],
                base_url=settings.SITE_URL,
                language=options["language"],
                scope=scope,
            )
            activate_url = settings.SITE_URL + reverse("accounts:activate")
            write_workbook(
                ActivationSheet(outcome.sheet, activate_url=activate_url), options["out"]
            )
        self.stdout.write(
            f"Issued {len(users)}: e-mailed {outcome.emailed}, on the sheet {len(outcome.sheet)} "
            f"({options['out']})."
        )

    def _choose(self, options, by):
        if options["unit"]:
            unit = Node.objects.filter(code=options["unit"]).exclude(kind=Kind.INDIVIDUAL).first()
            if unit is None:
                raise CommandError(f"No unit with code {options['unit']!r}.")
            users = selection.people_in_unit(
                by=by, unit=unit, include_with_password=options["include_with_password"]
            )
            return users, unit.code
        if options["file"]:
            try:
                choice = selection.people_from_file(by=by, upload=options["file"])
            except TableError as error:
                raise CommandError(error.message) from None
            if choice.errors:
                for error in choice.errors:
                    self.stderr.write(
                        f"row {error.row} {error.column} {error.value!r}: {error.message}"
                    )
                raise CommandError(f"{len(choice.errors)} bad rows; nothing issued.")
            return choice.users, "file"
        return selection.people_without_password(by=by), "missing"
