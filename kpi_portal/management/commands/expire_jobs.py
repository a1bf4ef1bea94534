from django.core.management.base import BaseCommand

from kpi_portal.jobs import jobs_expire


class Command(BaseCommand):
    help = "Delete background-job result files whose time is up (JOB_TTL_HOURS)."

    def handle(self, *args, **options):
        count = jobs_expire()
        if options["verbosity"]:
            self.stdout.write(f"{count} expired job file(s) deleted.")
