"""Where one report's time and write-ahead log go: the intake path taken apart.

Runs resident reports through the report form in this process (Django's test client, the
bench server's settings, the data set of `bench/cases.py --db D --size S`, which must exist:
run that first), one after the other, and reports per report:
- time: the median over the reports of each part of the path, measured by wrapping the
  functions that do it (the form's checks, the report limits, the workflow's input checks and
  effect, each row written, the commit; on SQLite the writers' turn) — a part's time includes
  the parts within it;
- the same for the bare view of bench/server_urls.py that stores one row (the ceiling);
- SQL statements, and Python function calls (deterministic, unlike time on a shared machine);
- write-ahead log: on SQLite the pages each table and index adds to the WAL (automatic
  checkpoints off while measuring, each report's frames read from the file); on PostgreSQL the
  bytes of WAL (pg_current_wal_lsn before and after).
The cases it adds are deleted at the end, as bench/cases.py does.

Usage: .venv/bin/python bench/intake_profile.py --db sqlite|postgres [--size town] [--reports 300]
"""

import argparse
import collections
import contextlib
import cProfile
import functools
import os
import pstats
import statistics
import struct
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import cases as bench_cases  # noqa: E402

MARK = bench_cases.INTAKE_MARK


class Stopwatch:
    """Wall time of named calls, per report."""

    def __init__(self):
        self.spent = collections.defaultdict(float)
        self.per_report = collections.defaultdict(list)

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[label] += time.perf_counter() - started

        setattr(owner, name, timed)

    def end_report(self) -> None:
        for label, seconds in self.spent.items():
            self.per_report[label].append(seconds)
        self.spent.clear()

    def medians_ms(self) -> dict[str, float]:
        return {label: statistics.median(values) * 1000
                for label, values in self.per_report.items()}


def instrument(watch: Stopwatch) -> None:
    from django.db.backends.base.base import BaseDatabaseWrapper

    from gridgov.cases import actions, forms, notifications, report_limits, workflow
    from gridgov.core import audit, rows
    from gridgov.core import workflow as engine
    from gridgov.grids import lookup

    watch.wrap(forms.ReportForm, "full_clean", "form checks (incl. the category's choices)")
    watch.wrap(report_limits, "before_reading", "report limits: read the counts")
    watch.wrap(report_limits, "count_report", "report limits: count this report")
    watch.wrap(actions, "report_case", "report_case (all below)")
    watch.wrap(engine.Workflow, "_cleaned", "workflow: check the inputs (category kept in the process)")
    watch.wrap(lookup, "place", "grid lookup")
    watch.wrap(workflow, "next_number", "case number (upsert)")
    watch.wrap(rows, "insert", "rows written: case, event, audit entry")
    watch.wrap(workflow.CASE_WORKFLOW, "record_event", "event row")
    watch.wrap(audit, "record", "audit entry")
    watch.wrap(notifications, "on_event_recorded", "notices (outbox)")
    watch.wrap(BaseDatabaseWrapper, "commit", "commit")


def time_the_turn(watch: Stopwatch) -> None:
    """SQLite: how long each report holds the writers' turn (BEGIN IMMEDIATE to the end of the
    commit, and the checkpoint's second pass), which every other writer waits for."""
    from gridgov.core.sqlite import base as engine

    take, end = engine.DatabaseWrapper._take_turn, engine.DatabaseWrapper._end_turn
    taken = {}

    def timed_take(connection):
        take(connection)
        taken[connection] = time.perf_counter()

    def timed_end(connection):
        if connection._turn is not None and connection in taken:
            watch.spent["the writers' turn (SQLite: BEGIN to COMMIT)"] += (
                time.perf_counter() - taken.pop(connection))
        end(connection)

    engine.DatabaseWrapper._take_turn = timed_take
    engine.DatabaseWrapper._end_turn = timed_end


def report_bodies(count: int) -> list[str]:
    from shapely.geometry import shape

    from gridgov.cases.models import Category
    from gridgov.grids.models import Grid

    category = Category.objects.filter(is_active=True).order_by("pk").first()
    grids = list(Grid.objects.order_by("number"))
    bodies = []
    for i in range(count):
        point = shape(grids[i % len(grids)].boundary).representative_point()
        bodies.append(urllib.parse.urlencode({
            "category": category.pk, "longitude": point.x, "latitude": point.y,
            "description": f"{MARK} 人行道破损第{i}处，请尽快处理", "address": f"哈密路{i % 300}号",
            "is_anonymous": "on",
        }))
    return bodies


def post_all(client, path: str, bodies: list[str], after=None, before=None) -> list[float]:
    seconds = []
    for body in bodies:
        if before is not None:
            before()
        started = time.perf_counter()
        response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        seconds.append(time.perf_counter() - started)
        if response.status_code != 302:
            raise SystemExit(f"{path} answered {response.status_code}: {response.content[:300]}")
        if after is not None:
            after()
    return seconds


def store_row_apart(other) -> None:
    """One row of the ceiling's table written on another connection (autocommit)."""
    from bench import server_urls

    with other.cursor() as cursor:
        server_urls.insert_row(cursor, MARK, 121.4, 31.2)


# --- write-ahead log -------------------------------------------------------------------------

def sqlite_wal_pages(connection, run) -> tuple[collections.Counter, int]:
    """Pages each b-tree adds to the WAL while run() commits; returns (pages by name, commits)."""
    path = Path(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    try:
        run()
        data = (path.parent / (path.name + "-wal")).read_bytes()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=1000")
    page_size = struct.unpack(">I", data[8:12])[0]
    salt = data[16:24]
    pages, commits, offset = [], 0, 32
    while offset + 24 <= len(data) and data[offset + 8:offset + 16] == salt:
        page, commit_size = struct.unpack(">II", data[offset:offset + 8])
        pages.append(page)
        commits += commit_size != 0
        offset += 24 + page_size
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, pageno FROM dbstat")
        owner = {page: name for name, page in cursor.fetchall()}
    return collections.Counter(owner.get(p, "(new pages)") for p in pages), commits


def postgres_wal_bytes(connection, run) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (start,) = cursor.fetchone()
        run()
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [start])
        return int(cursor.fetchone()[0])


# --- the run -----------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--size", choices=tuple(bench_cases.SIZES), default="town")
    parser.add_argument("--reports", type=int, default=300)
    args = parser.parse_args()
    bench_cases.configure(args.db, args.size)
    if not bench_cases.database_exists(args.db, args.size):
        raise SystemExit(f"no data set: run bench/cases.py --db {args.db} --size {args.size} first")
    import django

    django.setup()
    from django.db import DEFAULT_DB_ALIAS, connection, connections
    from django.test import Client

    from bench import server_urls

    server_urls.create_table()
    client = Client(REMOTE_ADDR="127.0.1.1")
    bodies = report_bodies(args.reports)
    post_all(client, "/cases/report/", bodies[:30])  # every import and cache warmed
    post_all(client, "/bench/ceiling/", bodies[:30])
    load = [os.getloadavg()[0]]

    watch = Stopwatch()
    instrument(watch)
    if connection.vendor == "sqlite":
        time_the_turn(watch)
    totals = post_all(client, "/cases/report/", bodies, after=watch.end_report)
    ceiling = post_all(client, "/bench/ceiling/", bodies)
    parts = watch.medians_ms()
    # As a server with two workers runs: the other worker has written since this one's last
    # transaction (on SQLite the connection then reads every page it touches afresh).
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        other_writes = functools.partial(store_row_apart, other)
        totals_after_write = post_all(client, "/cases/report/", bodies, before=other_writes)
        ceiling_after_write = post_all(client, "/bench/ceiling/", bodies, before=other_writes)
    finally:
        other.close()

    statements = []
    # Not CaptureQueriesContext: each request empties the connection's query log as it starts.
    with connection.execute_wrapper(lambda run, sql, *rest: statements.append(sql) or run(sql, *rest)):
        post_all(client, "/cases/report/", bodies[:1])
    calls = {}
    for path in ("/cases/report/", "/bench/ceiling/"):
        profile = cProfile.Profile()
        with profile:
            post_all(client, path, bodies[:50])
        calls[path] = pstats.Stats(profile).total_calls / 50

    # Every report of the run: a search table merges its segments in steps of 4, 16, 64, 256
    # commits, and a short sample lands on one phase of that cycle or another.
    sample = bodies
    if connection.vendor == "sqlite":
        pages, commits = sqlite_wal_pages(connection, lambda: post_all(client, "/cases/report/",
                                                                          sample))
        wal = {"per report (KB)": sum(pages.values()) * 4096 / 1024 / commits,
               "pages": {name: n / commits for name, n in pages.most_common()}}
    else:
        wal_bytes = postgres_wal_bytes(connection, lambda: post_all(client, "/cases/report/",
                                                                       sample))
        wal = {"per report (KB)": wal_bytes / 1024 / len(sample)}
    load.append(os.getloadavg()[0])
    bench_cases._forget_intake_cases()

    median, ceiling_median = statistics.median(totals) * 1000, statistics.median(ceiling) * 1000
    print(f"\n### Intake profile, {args.db}, {args.size} ({args.reports} reports, in process; "
          f"load average {load[0]:.1f}–{load[-1]:.1f})\n")
    print("| part of one report | median ms |")
    print("|---|---|")
    print(f"| whole request (test client, middleware, view) | {median:.2f} |")
    for label, ms in sorted(parts.items(), key=lambda item: -item[1]):
        print(f"| {label} | {ms:.2f} |")
    print(f"| ceiling: the bare view storing one row | {ceiling_median:.2f} |")
    print(f"| whole request, another connection having written just before | "
          f"{statistics.median(totals_after_write) * 1000:.2f} |")
    print(f"| ceiling, another connection having written just before | "
          f"{statistics.median(ceiling_after_write) * 1000:.2f} |")
    print(f"\nratio ceiling / report in process: {ceiling_median / median:.2f}; "
          f"SQL statements per report: {len(statements)}; Python calls per "
          f"request: {calls['/cases/report/']:.0f} (ceiling {calls['/bench/ceiling/']:.0f})")
    print(f"\nWAL per report: {wal['per report (KB)']:.0f} KB")
    if "pages" in wal:
        print("\n| table or index | pages per report |")
        print("|---|---|")
        for name, n in wal["pages"].items():
            if n >= 0.05:
                print(f"| {name} | {n:.2f} |")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
