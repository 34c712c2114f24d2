"""Recount the indicators rollup (gridgov.cases.rollup).

`gridgov cases_rollup` recounts the days touched since the last run (cases_tick does this every
few minutes); `gridgov cases_rollup --rebuild` recounts everything, meant for a nightly cron job.
Safe to run twice at once: the runs take turns on the rollup's lock.
"""

import time

from django.core.management.base import BaseCommand

from gridgov.cases import rollup


class Command(BaseCommand):
    help = "Recount the daily indicators rollup (--rebuild: every day, e.g. nightly)."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recount every day")

    def handle(self, *args, rebuild=False, **options):
        started = time.monotonic()
        days = rollup.rebuild() if rebuild else rollup.refresh()
        self.stdout.write(f"indicators rollup: {days} days recounted in "
                          f"{time.monotonic() - started:.1f} s")
