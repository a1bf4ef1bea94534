import datetime

from django.core.management.base import BaseCommand, CommandError

from notifications.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Write the deadline reminders due today (each person once per deadline) and queue "
        "their e-mails for the worker. --dry-run prints the counts and writes nothing. "
        "Run daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count only; write nothing.")
        parser.add_argument(
            "--today", help="Act as if today were this date (YYYY-MM-DD, Christian Era)."
        )

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today must be a date as YYYY-MM-DD.") from error
        dry_run = options["dry_run"]
        plan = reminders_send(today=today, dry_run=dry_run)
        verb = "would write" if dry_run else "wrote"
        for due in plan:
            self.stdout.write(
                f"{due.round.code} {due.kind} {due.deadline.isoformat()}: "
                f"{verb} {due.new} reminder(s), {due.emails} e-mail(s)."
            )
        total = sum(due.new for due in plan)
        emails = sum(due.emails for due in plan)
        self.stdout.write(f"Total: {verb} {total} reminder(s), {emails} e-mail(s).")
