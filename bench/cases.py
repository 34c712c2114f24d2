"""Benchmark: grid cases on SQLite and PostgreSQL, at a town's year and at a city's million.

Data (bench/casedata.py): the demo registry (新泾镇, 16 grids) with invented cases over the
year before now — `--size town` 40,000, `--size city` 1,000,000 — in every state, with
events for a share of them, the search index and the indicators rollup rebuilt by the product's
own functions. It lives in its own database (SQLite var/bench/cases-<size>.sqlite3; PostgreSQL
gridgov_bench (city) or gridgov_bench_town on 127.0.0.1:5432 as postgres) and is kept for the
next run with --reuse.

Measurements, each against its ceiling measured in the same run:
- intake: cases reported per second over HTTP, end to end — gunicorn started here on
  127.0.0.1 (as `make serve`), 16 concurrent clients without a session, each from an address of
  its own (127.0.1.N), posting reports (half
  anonymous, half with a name and phone) through the resident report form and through the
  REST API (POST /api/cases/); ceiling: a bare view of the same server storing one row
  (bench/server_urls.py). Every case named in an answer (the form's redirect to its tracking
  page, the API's tracking code) must exist afterwards, every post must have made one case, and
  the server log must hold no "database is locked".
- workbench: the operations centre's list (its scope holds every case) with filters and
  full-text search, through Django's test client against the real view; median and p95;
  ceiling: the page's list query, run raw.
- more measurements (indicators, Open311, CSV export) as their endpoints exist.
Results: var/bench/cases-<db>-<size>.json and this run's column of the "Cases" section of
docs/benchmarks.md (the other data sets' columns are kept).

Usage: .venv/bin/python bench/cases.py --db sqlite|postgres --size town|city [--reuse]
       [--runs 5] [--only intake,workbench]
"""

import argparse
import io
import json
import os
import re
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VAR = ROOT / "var" / "bench"
SIZES = {"town": 40_000, "city": 1_000_000}
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
INTAKE_MARK = "压测"
MEASUREMENTS = ("intake", "workbench", "indicators", "open311", "export")
ROLLUP_SUFFIXES = ("DailyStat", "MonthlyStat")


def database_url(db: str, size: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{VAR / f'cases-{size}.sqlite3'}"
    return f"{PG_SERVER}/{pg_name(size)}"


def pg_name(size: str) -> str:
    return "gridgov_bench" if size == "city" else f"gridgov_bench_{size}"


def configure(db: str, size: str) -> dict:
    """Environment of this process and of the server: the benchmark's database and settings."""
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.server_settings",
        "DATABASE_URL": database_url(db, size),
        "STATIC_ROOT": str(VAR / "static"),
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    return {**os.environ, **env}


def fresh_database(db: str, size: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{VAR / f'cases-{size}.sqlite3'}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {pg_name(size)} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {pg_name(size)}")


def database_exists(db: str, size: str) -> bool:
    if db == "sqlite":
        return (VAR / f"cases-{size}.sqlite3").exists()
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                             [pg_name(size)]).fetchone() is not None


def prepare(args) -> dict:
    """The data set: reused when asked and complete, else made afresh. Its description."""
    meta_path = VAR / f"cases-data-{args.db}-{args.size}.json"
    reuse = args.reuse and database_exists(args.db, args.size) and meta_path.exists()
    if not reuse:
        fresh_database(args.db, args.size)
    import django

    django.setup()
    from django.core.management import call_command

    from bench import casedata

    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    applied = set(MigrationRecorder(connection).applied_migrations()) if reuse else set()
    call_command("migrate", verbosity=0)
    newly_applied = sorted(f"{app}.{name}" for app, name in
                           set(MigrationRecorder(connection).applied_migrations()) - applied)
    call_command("createcachetable", verbosity=0)
    # Every run: the pages name static files by their hashed names from the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    from bench.server_urls import create_table

    create_table()
    casedata.setup_columns()
    if reuse:
        meta = json.loads(meta_path.read_text())
        print(f"reusing {meta['cases']:,} cases generated {meta['generated_at']}")
        if newly_applied or args.nightly:
            # What a deployment of new code does: the nightly jobs, at once.
            print(f"migrations applied since: {', '.join(newly_applied) or 'none'}; nightly jobs now")
            meta["rollup_s"] = _nightly_jobs()
            meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        return meta
    casedata.load_registry()
    count = args.count or SIZES[args.size]
    started = time.perf_counter()
    stats = casedata.generate(count, event_share=args.events)
    _nightly_jobs(rebuild=False)
    from django.utils import timezone

    from gridgov.cases.models import Case, CaseEvent

    meta = {
        "cases": Case.objects.count(), "events": CaseEvent.objects.count(),
        "event_share": args.events, "generated_at": timezone.now().isoformat(timespec="seconds"),
        "generation_s": round(time.perf_counter() - started, 1), "states": {
            k: v for k, v in stats.items() if not k.endswith("_s") and k != "events"},
        "rollup_s": stats["rollup_s"], "rows_and_index_s": stats["rows_and_index_s"],
    }
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return meta


def _nightly_jobs(rebuild: bool = True) -> float | None:
    """The jobs cron runs nightly (README): the rollup rebuild and the planner's statistics.
    The seconds the rebuild took."""
    from django.core.management import call_command

    from gridgov.indicators import rollup

    seconds = None
    if rebuild:
        started = time.perf_counter()
        rollup.rebuild()
        seconds = round(time.perf_counter() - started, 1)
    call_command("analyze_db", verbosity=0, stdout=io.StringIO())
    _settle()
    return seconds


def _settle() -> None:
    """What making the data set wrote, put to disk before anything is measured: SQLite's
    write-ahead log copied into the database (its file emptied) or PostgreSQL's checkpoint, and
    the system's dirty pages flushed. Otherwise the first measurements pay for the making's
    writes: a checkpoint syncs the database file while gigabytes of it are still unwritten."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)" if connection.vendor == "sqlite"
                       else "CHECKPOINT")
    os.sync()



# --- statistics -------------------------------------------------------------------------------

def p95(values) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(function, repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return timings


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


# --- intake over HTTP -------------------------------------------------------------------------

def _csrf(port: int) -> tuple[str, str]:
    from bench.httpload import request

    status, headers, body = request(port, "GET", "/cases/report/")
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    return cookie, token


def _report_fields(count: int, run: int, rng) -> list[dict]:
    """What residents post: a category, a description, a point in the town, anonymous or with
    a name and phone number."""
    from gridgov.cases.models import Category
    from gridgov.grids import lookup
    from gridgov.grids.models import Grid

    categories = list(Category.objects.filter(is_active=True).values_list("pk", "plain_name"))
    grids = Grid.objects.all()
    west, east = min(g.min_longitude for g in grids), max(g.max_longitude for g in grids)
    south, north = min(g.min_latitude for g in grids), max(g.max_latitude for g in grids)
    points = []
    while len(points) < count:
        lon, lat = round(rng.uniform(west, east), 6), round(rng.uniform(south, north), 6)
        if lookup.locate(lon, lat).assigned_grid_id:
            points.append((lon, lat))
    reports = []
    for index, (lon, lat) in enumerate(points):
        pk, plain = categories[rng.randrange(len(categories))]
        fields = {
            "category": pk, "longitude": lon, "latitude": lat,
            "description": f"{INTAKE_MARK}{run}-{index}：泾华路{rng.randint(1, 999)}号附近{plain}",
            "address": f"泾华路{rng.randint(1, 999)}号",
        }
        if index % 2:
            fields["is_anonymous"] = True
        else:
            fields.update(reporter_name="王先生", reporter_phone=f"139{rng.randint(0, 10**8 - 1):08d}")
        reports.append(fields)
    return reports


def _form_body(fields: dict, token: str) -> bytes:
    """The resident report form (/cases/report/), as the browser posts it."""
    form = {**fields, "csrfmiddlewaretoken": token}
    if form.pop("is_anonymous", False):
        form["is_anonymous"] = "on"
    return urllib.parse.urlencode(form).encode()


def _api_body(fields: dict) -> bytes:
    """The REST create endpoint (POST /api/cases/, form-encoded as its schema takes it)."""
    form = {**fields, "is_anonymous": "true" if fields.get("is_anonymous") else "false"}
    return urllib.parse.urlencode(form).encode()


def _form_code(outcome) -> str | None:
    found = re.search(r"/cases/track/([^/]+)/", outcome.location)
    return found.group(1) if outcome.status == 302 and found else None


def _api_code(outcome) -> str | None:
    if outcome.status != 201:
        return None
    return json.loads(outcome.body).get("tracking_code")


# channel -> (path, how a success names its case)
CHANNELS = {
    "form": ("/cases/report/", _form_code),
    "api": ("/api/cases/", _api_code),
}


# A run: the ceiling, then each channel followed by the ceiling again.
RUN_ORDER = ("ceiling", *(step for name in CHANNELS for step in (name, "ceiling")))


def measure_intake(env: dict, runs: int, per_run: int, concurrency: int, workers: int) -> dict:
    """Each run posts per_run reports to the ceiling view, through the form, to the ceiling,
    through the API and to the ceiling again, one after the other on the same server: each
    channel's rate is set against the ceiling measured just before and just after it (the mean
    of the two), so that the machine's drift within a run (its rates move by a fifth from one
    second to the next) weighs on both. A channel's ratio is the median of its runs' ratios."""
    import random

    from bench.httpload import Server, post_all
    from gridgov.cases.models import Case

    rng = random.Random(311)
    log_path = VAR / "intake-server.log"
    rates = {name: [] for name in (*CHANNELS, "ceiling")}
    ratios = {name: [] for name in CHANNELS}
    latencies = {name: [] for name in rates}
    statuses = {name: {} for name in CHANNELS}
    codes = {name: [] for name in CHANNELS}
    client_errors: list[str] = []
    _forget_intake_cases()  # an interrupted run left its reports behind
    before = Case.objects.count()
    load = [os.getloadavg()[0]]
    with Server(ROOT, env, log_path, workers=workers) as server:
        cookie, token = _csrf(server.port)
        form_headers = {"Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": f"csrftoken={cookie}"}
        api_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        batches = [_report_fields(per_run, run, rng) for run in range(runs + 1)]
        bodies = {
            "form": ([_form_body(f, token) for f in batch] for batch in batches),
            "api": ([_api_body(f) for f in batch] for batch in batches),
        }
        bodies = {name: list(made) for name, made in bodies.items()}
        headers = {"form": form_headers, "api": api_headers, "ceiling": form_headers}
        paths = {"form": CHANNELS["form"][0], "api": CHANNELS["api"][0], "ceiling": "/bench/ceiling/"}
        bodies["ceiling"] = bodies["form"]
        # Warm-up (run 0, a few hundred each): every worker has imported everything and built
        # its grid index. Its cases are checked like the others.
        for name in paths:
            warm = post_all(server.port, paths[name], bodies[name][0][:200], headers[name],
                            concurrency)
            client_errors += warm.errors
            if name in CHANNELS:
                codes[name] += [c for c in map(CHANNELS[name][1], warm.outcomes) if c]
        for run in range(1, runs + 1):
            line = []
            for name in RUN_ORDER:
                result = post_all(server.port, paths[name], bodies[name][run], headers[name],
                                  concurrency)
                rates[name].append(result.per_second)
                latencies[name] += [o.seconds for o in result.outcomes]
                client_errors += result.errors
                if name in CHANNELS:
                    for outcome in result.outcomes:
                        key = str(outcome.status)
                        statuses[name][key] = statuses[name].get(key, 0) + 1
                    codes[name] += [c for c in map(CHANNELS[name][1], result.outcomes) if c]
                line.append(f"{name} {result.per_second:.0f}/s")
            # Each channel against the mean of the ceilings measured just before and after it.
            ceilings = rates["ceiling"][-len(CHANNELS) - 1:]
            for position, name in enumerate(CHANNELS):
                around = ceilings[position:position + 2]
                ratios[name].append(rates[name][-1] / statistics.mean(around))
            print(f"  intake run {run}: " + ", ".join(line) + " (against the ceilings around "
                  "them: " + ", ".join(f"{c} {ratios[c][-1]:.0%}" for c in CHANNELS) + ")")
        log = server.log_text()
    load.append(os.getloadavg()[0])
    lost = {}
    for name, found in codes.items():
        stored = sum(Case.objects.filter(tracking_code__in=found[i:i + 500]).count()
                     for i in range(0, len(found), 500))
        lost[name] = len(found) - stored
    made = Case.objects.filter(description__startswith=INTAKE_MARK).count()
    ceiling = statistics.median(rates["ceiling"])
    result = {
        "requests_per_run": per_run, "runs": runs, "concurrency": concurrency,
        "server": f"gunicorn -c python:gridgov.gunicorn, {workers} workers",
        "ceiling_per_s": round(ceiling),
        "ceiling_latency_p95_ms": ms(p95(latencies["ceiling"])),
        "database_is_locked": log.count("database is locked"),
        "server_errors_logged": log.count("Traceback"),
        "client_errors": len(client_errors),
        "cases_made_incl_warmup": made,
        "successes_incl_warmup": sum(len(c) for c in codes.values()),
        "cases_before": before,
        "load_average": load,
    }
    for name in CHANNELS:
        rate = statistics.median(rates[name])
        result[name] = {
            "path": paths[name], "cases_per_s": round(rate),
            "cases_per_s_runs": [round(r) for r in rates[name]],
            "ratio": round(statistics.median(ratios[name]), 3),
            "ratio_runs": [round(r, 3) for r in ratios[name]],
            "latency_median_ms": ms(statistics.median(latencies[name])),
            "latency_p95_ms": ms(p95(latencies[name])),
            "statuses": statuses[name], "checked": len(codes[name]), "lost": lost[name],
        }
    _forget_intake_cases()
    return result


def _forget_intake_cases() -> None:
    """Keep the data set at its stated size for the next run (their audit entries stay: the
    audit table refuses deletion). On PostgreSQL the rows they leave dead are vacuumed at once:
    a run adds and deletes thousands of cases, far faster than autovacuum follows, and the next
    run would otherwise measure the bloat (docs/benchmarks.md, "Findings")."""
    from django.db import connection

    from gridgov.cases.models import Case, CaseEvent, CaseNumberSequence
    from gridgov.core.models import RateCount

    Case.objects.filter(description__startswith=INTAKE_MARK).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Case, CaseEvent, CaseNumberSequence, RateCount):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


# --- the workbench ----------------------------------------------------------------------------

def workbench_scenarios() -> list[tuple[str, dict]]:
    """What an operator asks the list for. Search terms are chosen by how much of the invented
    text they match: 人行道 (a landmark and five categories' words: about a sixth of all cases),
    共享单车 (one common category), 井盖 (six categories; two characters, too short for a
    trigram), an address (a few dozen cases), and words nobody wrote (the whole scope searched
    for nothing)."""
    from gridgov.cases.models import Category
    from gridgov.grids.models import Grid

    grid = Grid.objects.order_by("number").values_list("pk", flat=True)[6]
    rubbish = Category.objects.get(name="暴露垃圾").pk
    return [
        ("all cases, first page", {"queue": "all"}),
        ("filters: state + category + grid", {"queue": "all", "state": "evaluated",
                                              "category": rubbish, "grid": grid}),
        ("search 人行道 (common, trigram)", {"queue": "all", "q": "人行道"}),
        ("search 共享单车 (one category, trigram)", {"queue": "all", "q": "共享单车"}),
        ("search 井盖 (2 characters)", {"queue": "all", "q": "井盖"}),
        ("search 垃圾 + state + grid", {"queue": "all", "q": "垃圾", "state": "handling",
                                        "grid": grid}),
        ("search an address, 哈密路88号 (rare)", {"queue": "all", "q": "哈密路88号"}),
        ("search 地震 (no match, 2 characters)", {"queue": "all", "q": "地震"}),
        ("search 暴露垃圾 (no match, trigram)", {"queue": "all", "q": "暴露垃圾"}),
        ("overdue queue", {"queue": "overdue"}),
        ("intake queue (reported)", {"queue": "intake"}),
    ]


def measure_workbench(repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from gridgov.accounts.models import User
    from gridgov.cases import queues
    from gridgov.cases.forms import WorkbenchFilterForm
    from gridgov.demo import xinjing

    operator = User.objects.by_phone(
        next(s.phone for s in xinjing.DEMO_ACCOUNTS if s.role == "operator")).get()
    client = Client()
    client.force_login(operator)
    results = []
    for label, params in workbench_scenarios():
        url = "/cases/workbench/?" + urllib.parse.urlencode(params)
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, (label, response.status_code)
        with CaptureQueriesContext(connection) as capture:
            client.get(url)
        captured = list(capture.captured_queries)  # before the next request clears the log
        timings = timed(lambda: client.get(url), repeat)

        # The ceiling: the list's own SQL, as the view builds it, run raw.
        now = timezone.now()
        user = User.objects.get(pk=operator.pk)
        form = WorkbenchFilterForm(params, user=user)
        assert form.is_valid(), form.errors
        queue = queues.QUEUES_BY_KEY[params["queue"]]
        cases = queues.apply_filters(queues.queue_cases(queue, user, now), form.cleaned_data, now)
        sql, sql_params = cases.order_by("-reported_at", "-pk")[:queues.PAGE_SIZE + 1].query.sql_with_params()

        def raw():
            with connection.cursor() as cursor:
                cursor.execute(sql, sql_params)
                return cursor.fetchall()

        rows = len(raw())
        raw_timings = timed(raw, repeat)
        results.append({
            "scenario": label, "url": url, "queries": len(captured), "rows": rows,
            "median_ms": ms(statistics.median(timings)), "p95_ms": ms(p95(timings)),
            "ceiling_median_ms": ms(statistics.median(raw_timings)),
            "ceiling_p95_ms": ms(p95(raw_timings)),
            "ratio": round(statistics.median(raw_timings) / statistics.median(timings), 3),
        })
        print(f"  {label}: p95 {results[-1]['p95_ms']} ms (raw {results[-1]['ceiling_p95_ms']} ms)")
    return {"repeat": repeat, "reader": "operator of the town (scope: every case)",
            "scenarios": results, "worst_p95_ms": max(r["p95_ms"] for r in results)}


def _account(role: str):
    from gridgov.accounts.models import User
    from gridgov.demo import xinjing

    return User.objects.by_phone(next(s.phone for s in xinjing.DEMO_ACCOUNTS if s.role == role)).get()


def measure_page(client, url: str, repeat: int, tables: tuple[str, ...]) -> dict:
    """Median and p95 of a page through the test client, its SQL queries, and its ceiling: the
    page's heaviest query on one of `tables`, as the page sent it, run raw."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    with CaptureQueriesContext(connection) as capture:
        client.get(url)
    # Read now: the context reads the connection's log, which the next request clears.
    captured = list(capture.captured_queries)
    timings = timed(lambda: client.get(url), repeat)
    mine = [q for q in captured if any(f'"{table}"' in q["sql"] for table in tables)]
    heaviest = max(mine, key=lambda q: float(q["time"]))["sql"]

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(heaviest)
            return cursor.fetchall()

    rows = len(raw())
    raw_timings = timed(raw, repeat)
    return {
        "url": url, "queries": len(captured), "rows": rows,
        "median_ms": ms(statistics.median(timings)), "p95_ms": ms(p95(timings)),
        "ceiling_median_ms": ms(statistics.median(raw_timings)),
        "ceiling_p95_ms": ms(p95(raw_timings)),
        "ratio": round(statistics.median(raw_timings) / statistics.median(timings), 3),
    }


def rollup_tables() -> tuple[str, ...]:
    """The indicators' rollup tables (gridgov.indicators.rollup): the models named *DailyStat and
    *MonthlyStat."""
    from django.apps import apps

    return tuple(model._meta.db_table for model in apps.get_app_config("indicators").get_models()
                 if model.__name__.endswith(ROLLUP_SUFFIXES))


def indicator_scenarios() -> list[tuple[str, str]]:
    """(label, url): the indicator page (/indicators/: totals, the chosen grouping, every grid for
    the map and the daily series, over a period) as a leader opens it, and the API's table."""
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    year = {"start": (today - dt.timedelta(days=364)).isoformat(), "end": today.isoformat()}
    quarter = {"start": (today - dt.timedelta(days=89)).isoformat(), "end": today.isoformat()}
    page = "/indicators/?"
    return [
        ("page: this month by grid (default)", page),
        ("page: last 90 days by department", page + urllib.parse.urlencode(
            {"grouping": "department", **quarter})),
        ("page: last 12 months by grid", page + urllib.parse.urlencode({"grouping": "grid", **year})),
        ("page: last 12 months by category", page + urllib.parse.urlencode(
            {"grouping": "category", **year})),
        ("API: last 12 months by grid", "/api/indicators/?" + urllib.parse.urlencode(
            {"grouping": "grid", **year})),
    ]


def _cases_aggregate_sql(start, end) -> tuple[str, list]:
    """Reference, not the ceiling: the year's main counts straight from the case rows by grid,
    without the rollup (what the page would cost if it counted cases)."""
    from django.db import connection

    from gridgov.cases.models import Case

    quote = connection.ops.quote_name
    table = quote(Case._meta.db_table)
    sql = (
        f"SELECT grid_id, SUM(CASE WHEN registered_at >= %s AND registered_at < %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN due_at >= %s AND due_at < %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN due_at >= %s AND due_at < %s AND closed_on_time THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN closed_at >= %s AND closed_at < %s AND satisfaction <> '' THEN 1 ELSE 0 END) "
        f"FROM {table} WHERE town_id IN (SELECT id FROM grids_town) AND state <> 'merged' "
        f"AND (registered_at >= %s OR due_at >= %s OR closed_at >= %s) GROUP BY grid_id"
    )
    return sql, [start, end] * 4 + [start] * 3


def measure_indicators(repeat: int) -> dict:
    import datetime as dt

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    client = Client()
    client.force_login(_account("leader"))
    results = []
    for label, url in indicator_scenarios():
        result = measure_page(client, url, repeat, rollup_tables())
        results.append({"scenario": label, **result})
        print(f"  {label}: median {result['median_ms']} ms (raw {result['ceiling_median_ms']} ms)")
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=364), dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    sql, params = _cases_aggregate_sql(start, end)

    def counted():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    reference = timed(counted, max(3, repeat // 10))
    from django.apps import apps

    rollup_rows = {model.__name__: model.objects.count() for model in apps.get_app_config(
        "indicators").get_models() if model.__name__.endswith(ROLLUP_SUFFIXES)}
    return {"repeat": repeat, "reader": "leader of the town (scope: every case)",
            "rollup_rows": rollup_rows,
            "scenarios": results, "worst_median_ms": max(r["median_ms"] for r in results),
            "reference_cases_aggregate_ms": ms(statistics.median(reference))}


def open311_scenarios() -> list[tuple[str, dict]]:
    import datetime as dt

    from django.utils import timezone

    from gridgov.cases.models import Category

    rubbish = Category.objects.get(name="暴露垃圾").code
    month_ago = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    return [
        ("1,000 newest (JSON)", "requests.json", {}),
        ("1,000 newest (XML)", "requests.xml", {}),
        ("open requests (JSON)", "requests.json", {"status": "open"}),
        ("one service, 30 days (JSON)", "requests.json", {"service_code": rubbish,
                                                          "start_date": month_ago}),
    ]


def measure_open311(repeat: int) -> dict:
    from django.test import Client

    client = Client()
    results = []
    for label, path, params in open311_scenarios():
        url = f"/open311/v2/{path}?" + urllib.parse.urlencode(params)
        result = measure_page(client, url, repeat, ("cases_case",))
        results.append({"scenario": label, **result})
        print(f"  {label}: {result['rows']} rows, p95 {result['p95_ms']} ms "
              f"(raw {result['ceiling_p95_ms']} ms)")
    return {"repeat": repeat, "reader": "anyone (public list, no key)",
            "scenarios": results, "worst_p95_ms": max(r["p95_ms"] for r in results)}


def _peak_rss_kb() -> int:
    return int(re.search(r"^VmHWM:\s*(\d+) kB", Path("/proc/self/status").read_text(), re.M).group(1))


def _reset_peak_rss() -> None:
    """Linux: start counting the peak resident size from now (clear_refs 5)."""
    Path("/proc/self/clear_refs").write_text("5")


def _stream(client, url: str) -> dict:
    """Read a streamed response to its end as a browser would, holding one piece at a time;
    Python's allocation peak (tracemalloc) and the process's resident peak while doing it."""
    import gc
    import tracemalloc

    gc.collect()
    _reset_peak_rss()
    rss_before = _peak_rss_kb()
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200 and response.streaming, (url, response.status_code)
    lines = size = 0
    for piece in response.streaming_content:
        size += len(piece)
        lines += piece.count(b"\n")
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rows": lines - 1, "mb": round(size / 2**20, 1), "seconds": round(seconds, 1),
            "peak_mb": round(peak / 2**20, 1),
            "rss_growth_mb": round((_peak_rss_kb() - rss_before) / 1024, 1)}


def _period_with(rows: int) -> tuple:
    """The most recent whole days holding at least `rows` cases."""
    import datetime as dt

    from django.utils import timezone

    from gridgov.cases.models import Case

    end = timezone.localdate()
    days = 1
    while True:
        start = end - dt.timedelta(days=days - 1)
        since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
        if days > 366 or Case.objects.filter(reported_at__gte=since).count() >= rows:
            return start, end
        days = days * 2 if days < 8 else days + max(days // 4, 1)


def measure_export(sample_rows: int = 10_000) -> dict:
    """The CSV export of cases (/indicators/cases.csv) streamed to its end: every case of the
    year, then about `sample_rows`. Constant memory means the same peak for both."""
    import datetime as dt

    from django.test import Client
    from django.utils import timezone

    client = Client()
    client.force_login(_account("leader"))
    today = timezone.localdate()
    start, end = _period_with(sample_rows)
    sample_url = f"/indicators/cases.csv?start={start}&end={end}"
    year_url = f"/indicators/cases.csv?start={today - dt.timedelta(days=366)}&end={today}"
    _stream(client, sample_url)  # warm-up: imports, translations, first queries
    sample = _stream(client, sample_url)
    whole = _stream(client, year_url)
    print(f"  {whole['rows']:,} rows: peak {whole['peak_mb']} MB (rss +{whole['rss_growth_mb']} MB), "
          f"{sample['rows']:,} rows: peak {sample['peak_mb']} MB (rss +{sample['rss_growth_mb']} MB)")
    # Constant: the whole year may not need more than a small allowance over the sample
    # (a few chunks of rows and the interpreter's own noise).
    constant = whole["peak_mb"] <= sample["peak_mb"] * 1.5 + 2
    return {"url": year_url, "all_rows": whole["rows"], "all_peak_mb": whole["peak_mb"],
            "all_rss_growth_mb": whole["rss_growth_mb"], "all_mb": whole["mb"],
            "all_seconds": whole["seconds"],
            "rows_per_s": round(whole["rows"] / whole["seconds"]) if whole["seconds"] else None,
            "sample_url": sample_url, "sample_rows": sample["rows"],
            "sample_peak_mb": sample["peak_mb"], "sample_rss_growth_mb": sample["rss_growth_mb"],
            "constant": constant}


# --- the report -------------------------------------------------------------------------------

def machine() -> dict:
    import platform
    import subprocess

    from django.db import connection

    cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    memory = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    import django

    return {
        "nproc": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
        "cpu": cpu.group(1).strip() if cpu else "unknown",
        "ram_gb": round(int(memory.group(1)) / 1024 / 1024, 1) if memory else None,
        "python": platform.python_version(), "django": django.get_version(),
        "database": version,
    }


DOCS = ROOT / "docs" / "benchmarks.md"
# Intake's goal is its share of the ceiling measured in the same run (the figure that holds on a
# shared machine, where absolute rates move by a third from one hour to the next).
GOALS = {"intake": 0.3, "workbench": 100, "indicators": 300, "open311": 150}
LABELS = {("sqlite", "town"): "SQLite, town", ("sqlite", "city"): "SQLite, city",
          ("postgres", "town"): "PostgreSQL, town", ("postgres", "city"): "PostgreSQL, city"}
NONE = "—"


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _intake(r: dict, channel: str) -> str:
    intake = r.get("intake")
    if not intake or channel not in intake:
        return NONE
    c = intake[channel]
    return (f"{c['cases_per_s']} (ceiling {intake['ceiling_per_s']}, {c['ratio']:.0%}) "
            f"{_met(c['ratio'] >= GOALS['intake'])}")


def _intake_checks(r: dict) -> str:
    intake = r.get("intake")
    if not intake or "successes_incl_warmup" not in intake:
        return NONE
    lost = sum(intake[c]["lost"] for c in CHANNELS if c in intake)
    missing = intake["successes_incl_warmup"] - intake["cases_made_incl_warmup"]
    ok = intake["database_is_locked"] == 0 and lost == 0 and missing == 0
    text = f"{intake['database_is_locked']} / {lost}"
    if missing:
        text += f" ({missing} answers without a case)"
    return f"{text} {_met(ok)}"


def _worst(r: dict, name: str, field: str, goal: float) -> str:
    part = r.get(name)
    if not part:
        return NONE
    worst = max(part["scenarios"], key=lambda s: s[field])
    ceiling = worst["ceiling_" + field]
    return (f"{worst[field]:.0f} ms, {worst['scenario']} (raw query {ceiling:.0f} ms) "
            f"{_met(worst[field] <= goal)}")


def _export(r: dict) -> str:
    part = r.get("export")
    if not part:
        return NONE
    return (f"{part['all_peak_mb']} MB for {part['all_rows']:,} rows, {part['sample_peak_mb']} MB "
            f"for {part['sample_rows']:,} {_met(part['constant'])}")


# A generated table: its name (the first cell of its header, unique in the section), the columns
# that are the same for every data set (the goal), and its rows: label -> (those cells, the cell
# of each data set's column). Scenario tables are one measurement: a run that made it replaces
# its whole column; in the others each row is a measurement of its own, replaced when made.
class Table:
    def __init__(self, name: str, fixed: list[str], rows: dict[str, tuple[list[str], dict]],
                 declared=()):
        self.name, self.fixed, self.rows, self.declared = name, fixed, rows, set(declared)
        self.by_row = not name.endswith("scenario")

    @property
    def columns(self) -> list[str]:
        """The data sets' columns in the usual order: those in the header, those with a cell."""
        found = {label for _fixed, cells in self.rows.values() for label in cells} | self.declared
        return [label for label in LABELS.values() if label in found]

    def lines(self) -> list[str]:
        columns = self.columns
        lines = ["| " + " | ".join([self.name, *self.fixed, *columns]) + " |",
                 "|" + "---|" * (1 + len(self.fixed) + len(columns))]
        for label, (fixed, cells) in self.rows.items():
            lines.append("| " + " | ".join([label, *fixed, *(cells.get(c, NONE) for c in columns)])
                         + " |")
        return lines

    def merged_into(self, old: "Table | None") -> "Table":
        """This run's columns over those of `old` (the table as the document had it): the other
        data sets' cells kept, this run's replaced, rows only the old table had kept."""
        if old is None:
            return self
        made = {label for _fixed, cells in self.rows.values() for label in cells}
        rows = {}
        for label in dict.fromkeys([*self.rows, *old.rows]):
            fixed, new_cells = self.rows.get(label, (None, {}))
            old_fixed, old_cells = old.rows.get(label, (None, {}))
            replaced = set(new_cells) if self.by_row else made
            kept = {column: cell for column, cell in old_cells.items() if column not in replaced}
            fixed = fixed if fixed is not None else (old_fixed + [""] * len(self.fixed))[
                :len(self.fixed)]
            rows[label] = (fixed, {**kept, **new_cells})
        return Table(self.name, self.fixed, rows, declared={*old.columns, *self.columns})


def parse_tables(text: str) -> dict[str, Table]:
    """The generated tables of a document's section, by name."""
    tables = {}
    block: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        if len(block) >= 2:
            header, body = block[0], block[2:]
            fixed = [cell for cell in header[1:] if cell not in LABELS.values()]
            positions = {i: cell for i, cell in enumerate(header) if cell in LABELS.values()}
            tables[header[0]] = Table(header[0], fixed, {
                row[0]: (row[1:1 + len(fixed)],
                         {label: row[i] for i, label in positions.items()
                          if i < len(row) and row[i] != NONE})
                for row in body}, declared=positions.values())
        block = []
    return tables


def run_tables(key: tuple[str, str], r: dict) -> dict[str, Table]:
    """This run's column of every generated table."""
    label = LABELS[key]

    def column(name: str, rows: dict[str, str], fixed: dict[str, list[str]] | None = None):
        fixed = fixed or {}
        return Table(name, ["goal"] if fixed else [],
                     {row: (fixed.get(row, []), {label: cell} if cell != NONE else {})
                      for row, cell in rows.items()}, declared=[label])

    m, d = r["machine"], r["data"]
    rollup_rows = r.get("indicators", {}).get("rollup_rows", {})
    loads = r.get("load_average") or [0]
    tables = [
        column("machine", {
            "nproc": m["nproc"], "CPU": m["cpu"], "RAM": f"{m['ram_gb']} GB",
            "Python / Django": f"{m['python']} / {m['django']}", "database": m["database"],
            "load average (1 min) during the run": f"{min(loads)}–{max(loads)}",
        }),
        column("data set", {
            "cases": f"{d['cases']:,}",
            "events (share of cases with history)": f"{d['events']:,} ({d['event_share']:.0%})",
            "rollup rows": ", ".join(f"{n} {c:,}" for n, c in rollup_rows.items()) or NONE,
            "generated in": f"{d['generation_s'] / 60:.1f} min",
            "of which rollup rebuild": f"{(d.get('rollup_s') or 0) / 60:.1f} min",
        }),
    ]
    summary = {
        "intake, resident report form (cases/s, median)": ("≥ 30% of the ceiling", _intake(r, "form")),
        "intake, REST API POST /api/cases/ (cases/s, median)": ("≥ 30% of the ceiling", _intake(r, "api")),
        "intake, 16 writers: \"database is locked\" / lost cases": ("0 / 0", _intake_checks(r)),
        "workbench list, filters and search (worst p95)": ("≤ 100 ms", _worst(
            r, "workbench", "p95_ms", GOALS["workbench"])),
        "indicators (worst median)": ("≤ 300 ms", _worst(
            r, "indicators", "median_ms", GOALS["indicators"])),
        "Open311 request list, 1,000 rows (worst p95)": ("≤ 150 ms", _worst(
            r, "open311", "p95_ms", GOALS["open311"])),
        "CSV export: peak memory, all rows vs 10,000": ("constant", _export(r)),
    }
    tables.append(column("measurement", {k: cell for k, (_goal, cell) in summary.items()},
                         {k: [goal] for k, (goal, _cell) in summary.items()}))
    for name, part in (("workbench scenario", "workbench"), ("indicators scenario", "indicators"),
                       ("Open311 scenario", "open311")):
        tables.append(column(name, {
            s["scenario"]: (f"{s['median_ms']:.0f} / {s['p95_ms']:.0f} ms (raw "
                            f"{s['ceiling_median_ms']:.1f} ms; {s['queries']} queries)")
            for s in r.get(part, {}).get("scenarios", [])}))
    return {table.name: table for table in tables}


SECTION_TEXT = """## Cases

`bench/cases.py` (run with `make bench-cases`; `make bench-cases DB=postgres SIZE=city`;
add `ARGS=--reuse` to keep the data set of the previous run). The demo registry
(新泾镇, 16 grids) with invented cases over the year before the run, all in the one town:
the worst case for a scoped reader, whose scope (the town) holds every case. Mostly closed
and rated, the newest still open, some overdue, suspended or awaiting an extension;
rejected, merged, self-handled, returned and reworked ones; deadlines in working time;
a full event history for a share of them. Rows go in by executemany/COPY; the search index
and the indicators rollup are rebuilt by the product's own functions afterwards.
Each page is measured through Django's test client against the real view (median and p95
of the requests), its ceiling is its main query run raw; intake goes over HTTP to gunicorn
on 127.0.0.1 (as `make serve`, `gridgov/gunicorn.py`: one worker per core, one thread each
on SQLite, four on PostgreSQL) from 16 concurrent
clients, each from an address of its own (127.0.1.N), with the report limits raised out of
reach but still checked and counted; its ceiling is a bare view storing one row on the same server.
Each of the five runs measures the ceiling before and after each channel (ceiling, form,
ceiling, API, ceiling, 1,500 requests each), and sets the channel's rate against the mean of
the two; the percentage is the median of the runs' ratios (from stop 20; the PostgreSQL columns,
measured at stop 16, divide the median rate by the median ceiling of runs of form, API, ceiling).
A run rewrites only its own column (data set and database) of the tables below, and keeps the
others as the last run of each left them.

{machine}

{data set}

{measurement}

Workbench (operations centre of the town; median / p95, raw list query median):

{workbench scenario}

Indicators (the page /indicators/ and the API, as the town's leader; median / p95, raw rollup query median):

{indicators scenario}

Open311 (`GET /open311/v2/requests.{{json,xml}}`, public; median / p95, raw query median):

{Open311 scenario}
"""
SECTION = re.compile(r"^## Cases\n.*?(?=^### Findings|^## |\Z)", re.M | re.S)


def updated_docs(text: str, key: tuple[str, str], r: dict) -> str:
    """The document with this run's column in the Cases section; the other data sets' columns,
    the other sections and the hand-written findings below the tables kept."""
    found = SECTION.search(text)
    old = parse_tables(found.group(0)) if found else {}
    tables = {name: table.merged_into(old.get(name)) for name, table in run_tables(key, r).items()}
    section = SECTION_TEXT
    for name, table in tables.items():
        section = section.replace("{" + name + "}", "\n".join(table.lines()))
    section = section.replace("{{", "{").replace("}}", "}") + "\n"
    if found:
        return text[:found.start()] + section + text[found.end():]
    return text.rstrip("\n") + "\n\n" + section


def write_docs(key: tuple[str, str], r: dict) -> None:
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    DOCS.write_text(updated_docs(text, key, r), encoding="utf-8")
    print(f"wrote {DOCS.relative_to(ROOT)} (column {LABELS[key]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--size", choices=tuple(SIZES), default="town")
    parser.add_argument("--count", type=int, default=0, help="cases to invent (default: by size)")
    parser.add_argument("--events", type=float, default=0.2,
                        help="share of cases with their full event history")
    parser.add_argument("--reuse", action="store_true", help="keep the data set of a former run")
    parser.add_argument("--nightly", action="store_true",
                        help="with --reuse: run the nightly jobs (rollup rebuild, statistics) "
                             "first, as after a deployment; done anyway when migrations ran")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=40, help="requests per page measurement")
    parser.add_argument("--intake-requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--only", default=",".join(MEASUREMENTS))
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    env = configure(args.db, args.size)
    data = prepare(args)
    wanted = [m for m in args.only.split(",") if m]
    out = VAR / f"cases-{args.db}-{args.size}.json"
    report = json.loads(out.read_text()) if out.exists() else {}
    report.update({"db": args.db, "size": args.size, "machine": machine(), "data": data,
                   # Other processes may share the machine: a high load depresses every number.
                   "load_average": [round(os.getloadavg()[0], 2)]})
    nproc = int(report["machine"]["nproc"] or 2)
    steps = {
        "intake": lambda: measure_intake(env, args.runs, args.intake_requests, args.concurrency,
                                         workers=nproc),
        "workbench": lambda: measure_workbench(args.repeat),
        "indicators": lambda: measure_indicators(args.repeat),
        "open311": lambda: measure_open311(args.repeat),
        "export": measure_export,
    }
    for name in MEASUREMENTS:
        if name not in wanted:
            continue
        print(name)
        report[name] = steps[name]()
        report["load_average"].append(round(os.getloadavg()[0], 2))
        # Saved after each measurement: a later failure keeps what was measured.
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    if not args.no_docs:
        write_docs((args.db, args.size), report)


if __name__ == "__main__":
    main()
