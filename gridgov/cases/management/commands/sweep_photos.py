"""`gridgov sweep_photos`: delete photo files that no CasePhoto names any more.

gridgov.cases.actions writes a report's photos before its transaction and deletes them when the
transaction is refused; a process that dies in between (a killed worker, a power cut) leaves
files behind that no row names, and so do photo rows deleted outside the workflow (a cascade from
the shell). Run nightly (README).

The photo folder (CasePhoto.image's upload_to: cases/<year>/<month>/) is listed through the
storage API, one folder at a time, so the same command sweeps the local disk and an object store
(settings: GRIDGOV_MEDIA_S3_BUCKET); names are checked in batches of --batch-size, one query a
batch on the photo table's index (casephoto_image), so memory stays that of one folder's names
whatever the number of photos. A file is deleted only when no CasePhoto names it and it was last
written more than --older-than ago (24 h by default): a report still in its transaction has
written its files but not yet its rows. --dry-run lists what would go.
"""

import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from gridgov.cases.models import CasePhoto

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 3600}
# SQLite refuses a statement with more parameters than this (SQLITE_MAX_VARIABLE_NUMBER).
SQLITE_MAX_PARAMETERS = 32766


def duration(text: str) -> timedelta:
    """"24h", "2d", "90m", "30s"; a bare number is hours."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise ValueError(text)
    return timedelta(seconds=float(match[1]) * _SECONDS[match[2]])


def photo_folder() -> str:
    """The storage-relative folder every case photo is written under ("cases/")."""
    upload_to = CasePhoto.image.field.upload_to
    return upload_to.split("%", 1)[0].rsplit("/", 1)[0] + "/"


def walk_files(storage, folder: str):
    """The storage name of every file below folder, listed one folder at a time (on an object
    store, a "folder" is a prefix)."""
    pending = [folder.rstrip("/")]
    while pending:
        current = pending.pop()
        try:
            folders, files = storage.listdir(current)
        except FileNotFoundError:
            continue
        pending.extend(f"{current}/{name}" for name in folders)
        yield from (f"{current}/{name}" for name in files)


def batches(iterable, size: int):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Command(BaseCommand):
    help = ("Delete case photo files that no CasePhoto names and that are older than a grace "
            "period (default 24h); --dry-run only lists them. Run nightly.")

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=duration, default=timedelta(hours=24),
                            metavar="AGE", help='grace period: "24h" (default), "2d", "90m"')
        parser.add_argument("--dry-run", action="store_true",
                            help="list the files that would be deleted, delete nothing")
        parser.add_argument("--batch-size", type=int, default=10000,
                            help="file names checked per query (default 10000)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, older_than, dry_run, batch_size, database, **options):
        connection = connections[database]
        if batch_size < 1 or (connection.vendor == "sqlite" and batch_size > SQLITE_MAX_PARAMETERS):
            raise CommandError(f"--batch-size must be between 1 and {SQLITE_MAX_PARAMETERS}")
        storage = CasePhoto.image.field.storage
        folder = photo_folder()
        cutoff = timezone.now() - older_than
        counts = {"files": 0, "in_use": 0, "recent": 0, "orphaned": 0, "bytes": 0}
        photos = CasePhoto.objects.db_manager(database)

        for names in batches(walk_files(storage, folder), batch_size):
            in_use = set(photos.filter(image__in=names).values_list("image", flat=True))
            counts["files"] += len(names)
            counts["in_use"] += len(in_use)
            for name in names:
                if name in in_use:
                    continue
                try:
                    if storage.get_modified_time(name) > cutoff:
                        counts["recent"] += 1
                        continue
                    size = storage.size(name)
                except FileNotFoundError:
                    continue  # gone meanwhile (another sweep)
                counts["orphaned"] += 1
                counts["bytes"] += size
                if dry_run:
                    self.stdout.write(name)
                    continue
                storage.delete(name)
                if options["verbosity"] >= 2:
                    self.stdout.write(f"deleted {name}")

        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(
            f"{counts['files']} photo files under {folder}: {counts['in_use']} in use, "
            f"{counts['recent']} unnamed but newer than {_age(older_than)} (kept), "
            f"{counts['orphaned']} orphaned {verb} ({counts['bytes'] / 1_048_576:.1f} MB)")


def _age(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:g} h"
