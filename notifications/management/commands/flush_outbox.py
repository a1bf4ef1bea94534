from django.core.management.base import BaseCommand

from notifications.outbox import outbox_counts, outbox_flush


class Command(BaseCommand):
    help = (
        "Send the notification e-mails that are due, including the retries of earlier "
        "failures. Run every few minutes from cron; the worker also sends them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Send at most this many.")

    def handle(self, *args, **options):
        report = outbox_flush(limit=options["limit"])
        counts = outbox_counts()
        self.stdout.write(
            f"Sent {report.sent}, will retry {report.retrying}, gave up on {report.failed}. "
            f"Outbox now: {counts['pending']} pending ({counts['retrying']} retrying), "
            f"{counts['failed']} failed."
        )
