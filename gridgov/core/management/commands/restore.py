"""`gridgov restore <dir> [--target DATABASE_URL]`: load a backup made by `gridgov backup` and
check every table's row count and the audit log's last entry against its manifest. Stop the
server first: the database is replaced."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.core import backup
from gridgov.core.errors import Refusal


class Command(BaseCommand):
    help = "Restore a backup into the configured database (or --target) and verify it."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--target", help="another database's URL (e.g. to test a backup)")

    def handle(self, *args, directory, target=None, **options):
        try:
            differences = backup.restore(Path(directory), target)
        except Refusal as refusal:
            raise CommandError(refusal.message) from None
        for difference in differences:
            self.stdout.write(f"DIFFERS {difference}")
        if differences:
            raise CommandError("the restored database differs from the backup's manifest")
        self.stdout.write("restored; every table's row count and the audit log's last entry "
                          "match the backup")
