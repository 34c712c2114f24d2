"""`gridgov backup <dir>`: the database (SQLite's online backup API, or pg_dump), media and audit
archive files, and a manifest of row counts and checksums; see gridgov.core.backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.core import backup
from gridgov.core.errors import Refusal


class Command(BaseCommand):
    help = "Back up the database, the media files and the audit archive into a new directory."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        try:
            manifest = backup.backup(Path(directory))
        except Refusal as refusal:
            raise CommandError(refusal.message) from None
        self.stdout.write(f"backup written to {directory}: {len(manifest['tables'])} tables, "
                          f"{manifest['media_files']} media files ({manifest['media']}), "
                          f"{manifest['audit_archive_files']} audit archive files")
