from django.core.management.base import BaseCommand

from salaries.importer import ranges_import, ranges_read
from salaries.management.commands.import_salaries import finish, read_or_fail


class Command(BaseCommand):
    help = (
        "Import salary ranges (position_type, position_level, floor, ceiling, optional "
        "midpoint, lower_base, upper_base) from an .xlsx or .csv file; --dry-run checks only."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")

    def handle(self, *args, file, dry_run, **options):
        table = read_or_fail(self, ranges_read, file)
        report = ranges_import(table=table, by=None, dry_run=dry_run)
        finish(self, report, dry_run)
