"""`gridgov sweep_photos`: delete photo files that no CasePhoto names any more.

gridgov.cases.actions writes a report's photos before its transaction and deletes them when the
transaction is refused; a process that dies in between (a killed worker, a power cut) leaves
files behind that no row names, and so do photo rows deleted outside the workflow (a cascade from
the shell). Run nightly (README).

The photo folder of the storage (CasePhoto.image's upload_to: cases/<year>/<month>/) is walked
one directory entry at a time and checked in batches of --batch-size names, one query a batch, so
memory stays flat whatever the number of photos. A file is deleted only when no CasePhoto names it
and it was last written more than --older-than ago (24 h by default): a report still in its
transaction has written its files but not yet its rows. --dry-run lists what would go.

Each batch's query looks its names up in CasePhoto.image's index (casephoto_image), a few
milliseconds a batch however many photos the town keeps.
"""

import os
import re
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

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


def walk_files(root: str):
    """(path, DirEntry) of every regular file below root, one directory entry at a time (no
    directory is listed whole into memory; symbolic links are not followed)."""
    pending = [root]
    while pending:
        try:
            entries = os.scandir(pending.pop())
        except FileNotFoundError:
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    yield entry


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
        try:
            location = storage.path("")
        except NotImplementedError:
            raise CommandError("sweep_photos needs photos on a file system (FileSystemStorage)")
        folder = photo_folder()
        cutoff = time.time() - older_than.total_seconds()
        counts = {"files": 0, "in_use": 0, "recent": 0, "orphaned": 0, "bytes": 0}
        photos = CasePhoto.objects.db_manager(database)

        for batch in batches(walk_files(storage.path(folder)), batch_size):
            names = {_storage_name(entry.path, location): entry for entry in batch}
            in_use = set(photos.filter(image__in=list(names)).values_list("image", flat=True))
            counts["files"] += len(batch)
            counts["in_use"] += len(in_use)
            for name, entry in names.items():
                if name in in_use:
                    continue
                try:
                    stat = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # gone meanwhile (another sweep)
                if stat.st_mtime > cutoff:
                    counts["recent"] += 1
                    continue
                counts["orphaned"] += 1
                counts["bytes"] += stat.st_size
                if dry_run:
                    self.stdout.write(name)
                    continue
                try:
                    os.remove(entry.path)
                except FileNotFoundError:
                    pass
                if options["verbosity"] >= 2:
                    self.stdout.write(f"deleted {name}")

        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(
            f"{counts['files']} photo files under {folder}: {counts['in_use']} in use, "
            f"{counts['recent']} unnamed but newer than {_age(older_than)} (kept), "
            f"{counts['orphaned']} orphaned {verb} ({counts['bytes'] / 1_048_576:.1f} MB)")


def _storage_name(path: str, location: str) -> str:
    return os.path.relpath(path, location).replace(os.sep, "/")


def _age(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:g} h"
