"""Recount the indicators rollup (gridgov.indicators.rollup).

`gridgov cases_rollup` recounts the days touched since the last run (`gridgov tick` does this every
minute), and sums their months again from the days; `gridgov cases_rollup --rebuild`
recounts every day and month (`gridgov tick` does this nightly). Safe to run twice at once: the runs
take turns on the rollup's lock.
"""

import time

from django.core.management.base import BaseCommand

from gridgov.indicators import rollup


class Command(BaseCommand):
    help = ("Recount the daily and monthly indicators rollup "
            "(--rebuild: every day and month, e.g. nightly).")

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recount every day and month")

    def handle(self, *args, rebuild=False, **options):
        started = time.monotonic()
        days = rollup.rebuild() if rebuild else rollup.refresh()
        self.stdout.write(f"indicators rollup: {days} days recounted (and their months) in "
                          f"{time.monotonic() - started:.1f} s")
