"""`gridgov audit_export --from 2026-01-01 --to 2026-07-01 <file>`: the audit entries of a period
(from the first day, to the day before --to) to a file, one JSON object a line, hash-chained,
with a last line of totals; `gridgov audit_check <file>` verifies it."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gridgov.core import audit_retention, params
from gridgov.core.errors import Refusal


class Command(BaseCommand):
    help = "Export the audit log of a period to a hash-chained JSON-lines file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD (included)")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD (excluded)")

    def handle(self, *args, file, start, end, **options):
        try:
            first, after = params.day(start, "--from"), params.day(end, "--to")
        except Refusal as refusal:
            raise CommandError(refusal.message) from None
        if first >= after:
            raise CommandError("--to 应晚于 --from")
        local = timezone.get_current_timezone()
        written = audit_retention.export(
            dt.datetime.combine(first, dt.time.min, local),
            dt.datetime.combine(after, dt.time.min, local), Path(file))
        self.stdout.write(f"{written.entries} entries written to {file} "
                          f"(SHA-256 {written.sha256}, last hash {written.last_hash})")
