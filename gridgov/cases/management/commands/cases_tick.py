"""The case loop's periodic work by hand: the deadline sweep (gridgov.cases.sweep) and the
indicators' rollup. Safe to run twice at once."""

from django.core.management.base import BaseCommand

from gridgov.cases import rollup
from gridgov.cases.sweep import sweep_deadlines


class Command(BaseCommand):
    help = ("Warn about cases near their deadline and escalate overdue ones "
            "(safe to run twice at once).")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=5000,
                            help="at most this many cases of each kind per run")

    def handle(self, *args, limit=5000, **options):
        counts = sweep_deadlines(limit=limit)
        self.stdout.write(
            f"overdue {counts['overdue']}, warned {counts['warned']}, failed {counts['failed']}"
        )
        # The indicators of today (and of the cases changed since the last run) follow.
        days = rollup.refresh()
        self.stdout.write(f"indicators rollup: {days} days recounted")
