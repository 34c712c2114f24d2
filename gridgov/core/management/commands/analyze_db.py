"""`gridgov analyze_db`: refresh the statistics the database's query planner chooses plans by.

PostgreSQL's autovacuum keeps them current by itself (running this does no harm). SQLite keeps
none until asked, and without them it guesses: at a million cases it walks a whole town's index
for a search that matches a few dozen cases, or reads every deadline ever passed to find the
overdue ones (docs/benchmarks.md, "Cases"). Run nightly from cron (README); on SQLite each index
is sampled (analysis_limit), so a database of millions of rows takes well under a second.
"""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

# Rows of each index SQLite reads to estimate it: enough for the planner, cheap on any size.
SQLITE_ANALYSIS_LIMIT = 1000


class Command(BaseCommand):
    help = "Refresh the query planner's statistics (SQLite keeps none by itself); run nightly."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database=DEFAULT_DB_ALIAS, **options):
        connection = connections[database]
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
            cursor.execute("ANALYZE")
        self.stdout.write(f"statistics refreshed ({connection.vendor})")
