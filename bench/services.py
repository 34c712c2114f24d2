"""Benchmark: the service catalogue's Chinese search and the two-coverage table at a district's
size (50,000 catalogue items, 50,000 organisations), on SQLite or PostgreSQL.

Data: one town, 40 grids, 5 aspects × 28 categories; 50,000 items whose names and texts are
drawn from the words the package uses (外卖, 骑手, 充电, 驿站, 党建 …), 50,000 new-sector
organisations with random coverage. Written by bulk_create with the product's own search text
(ServiceItem.build_search_text). SQLite: var/bench/services.sqlite3; PostgreSQL: the database
gridgov_services on 127.0.0.1:5432 (dropped and made again).

Measurements, each beside the same work in raw SQL in the same run:
- search: ServiceItem.objects.active().filter(town=…).search_page(q, 0, 20), the count and the
  first page of 20 (what the catalogue page and /api/services/items read), for two-character
  words, longer words, two terms and a word that matches nothing; raw: the same indexed search
  (FTS MATCH or GIN conditions, then the substring tests) as one statement written by hand.
  Goal: p95 ≤ 50 ms and ≤ 2 × the raw query.
- coverage: coverage.coverage_by(register, "grid") + coverage_total() for a town-wide
  party-affairs reader (through visible_to); raw: the same GROUP BY by hand. Goal ≤ 500 ms.
Median over --runs runs of each figure's p95. Results: var/bench/services-<db>.json and the
"Services" section of docs/benchmarks.md (this database's subsection replaced).

Usage: .venv/bin/python bench/services.py --db sqlite|postgres [--runs 5] [--reuse]
"""

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.database import open_database  # noqa: E402

VAR = ROOT / "var" / "bench"
DOCS = ROOT / "docs" / "benchmarks.md"
ITEMS = ORGANISATIONS = 50_000
GRIDS = 40
QUERIES = ["外卖", "骑手", "充电", "驿站 休息", "党建指导", "骑手 充电", "政策申报辅导", "火箭"]
REPEATS = 20
GOALS = {"search_p95_ms": 50, "search_ratio": 2.0, "coverage_ms": 500}
WORDS = ["外卖", "骑手", "快递", "网约车", "充电", "换电", "驿站", "休息", "党建", "楼宇",
         "商户", "食品", "安全", "培训", "政策", "申报", "辅导", "法律", "咨询", "人才", "公寓",
         "会议室", "预约", "志愿", "服务", "资源", "共享", "消防", "检查", "指导", "体检", "暑托班"]


def configure(db: str, reuse: bool) -> None:
    open_database(db, "services", keep=reuse)


def square(n: int) -> dict:
    west, south = 121.30 + (n % 8) * 0.01, 31.15 + (n // 8) * 0.01
    ring = [[west, south], [west + 0.01, south], [west + 0.01, south + 0.01],
            [west, south + 0.01], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def load(rng) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from gridgov.accounts.actions import assign_role, create_user
    from gridgov.grids.models import Community, Grid, Town
    from gridgov.services import sample_catalogue
    from gridgov.services.models import Organisation, Sector, ServiceCategory, ServiceItem

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    town = Town.objects.create(name="压测镇", district="长宁区", district_code="310105",
                               code="998", longitude=121.34, latitude=31.18, is_sample=True)
    community = Community.objects.create(town=town, name="压测居民区", code="001")
    grids = [Grid(town=town, community=community, number=n + 1, name=f"第{n + 1}网格",
                  unit_code=f"310105998001{n + 1:03d}", boundary=square(n)) for n in range(GRIDS)]
    for grid in grids:
        grid.save()
    sample_catalogue.install(town)
    categories = list(ServiceCategory.objects.filter(aspect__town=town))
    targets = ["building", "shops", "new_employment", "collective", "residents"]
    batch = []
    for n in range(ITEMS):
        a, b, c = rng.sample(WORDS, 3)
        item = ServiceItem(town=town, category=rng.choice(categories), code=f"B{n:06d}",
                           name=f"{a}{b}{c}{n % 97}", description=f"为{rng.choice(WORDS)}群体提供"
                           f"{rng.choice(WORDS)}{rng.choice(WORDS)}服务（压测）",
                           provides=f"{rng.choice(WORDS)}{rng.choice(WORDS)}",
                           partner="压测合作单位", target_groups=",".join(rng.sample(targets, 2)),
                           response_days=rng.randint(1, 10), is_sample=True)
        item.search_text = item.build_search_text()
        batch.append(item)
    ServiceItem.objects.bulk_create(batch, batch_size=2000)
    sectors = Sector.values
    Organisation.objects.bulk_create([
        Organisation(town=town, grid=rng.choice(grids), name=f"压测组织{n:06d}",
                     sector=rng.choice(sectors), has_party_org=rng.random() < 0.3,
                     attached_to="联合党支部" if rng.random() < 0.3 else "",
                     work_covered=rng.random() < 0.6, is_sample=True)
        for n in range(ORGANISATIONS)], batch_size=2000)
    reader = create_user(actor=None, phone="13800999001", name="压测党建办")
    assign_role(reader, "party_affairs", "town", town.pk, actor=None)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"load_seconds": round(time.perf_counter() - started, 1)}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def timed(work, repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def raw_search(town_id: int, query: str):
    """The same indexed search by hand, as one statement: the FTS tables (SQLite: trigrams for
    terms of three characters or more, pairs for two-character words, one MATCH each) or the GIN
    indexes (PostgreSQL: LIKE on the trigram index for three characters or more, @> on the pair
    index for every word) choose the rows, the substring test on the lower-cased text decides;
    the count as a window and the first page (names holding the terms first, then by code)."""
    from django.db import connection

    words = [w.lower() for w in query.split()]
    longer = [w for w in words if len(w) >= 3]
    two = [w for w in words if len(w) == 2]  # the queries' two-character words are all pairs
    where, params = [], []
    if connection.vendor == "sqlite":
        position = "instr"
        for table, answered in (("services_serviceitem_fts", longer),
                                ("services_serviceitem_pairs", two)):
            if answered:
                where.append(f"id IN (SELECT rowid FROM {table} WHERE {table} MATCH %s)")
                params.append(" ".join(f'"{w}"' for w in answered))
    else:
        position = "strpos"
        for w in longer:  # the queries' words are letters only, so their pairs cover them
            where.append("search_text LIKE %s")
            params.append(f"%{w}%")
        for w in longer + two:
            where.append("gridgov_pairs(search_text, '') @> gridgov_pairs(%s, '')")
            params.append(w)
    where += [f"{position}(search_text, %s) > 0"] * len(words)
    named = " AND ".join([f"{position}(name, %s) > 0"] * len(words))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, COUNT(*) OVER () FROM services_serviceitem "
                       f"WHERE town_id = %s AND is_active AND {' AND '.join(where)} "
                       f"ORDER BY CASE WHEN {named} THEN 0 ELSE 1 END, code LIMIT 20",
                       [town_id, *params, *words, *words])
        cursor.fetchall()


def product_search(town_id: int, query: str):
    from gridgov.services.models import ServiceItem

    ServiceItem.objects.active().filter(town_id=town_id).search_page(
        query, 0, 20, related=("category__aspect", "department"))


def raw_coverage(town_id: int):
    from django.db import connection

    covered = "(o.has_party_org OR o.attached_to <> '')"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT o.grid_id, g.name, COUNT(*), SUM(CASE WHEN {covered} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN o.work_covered THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {covered} AND o.work_covered THEN 1 ELSE 0 END) "
            "FROM services_organisation o LEFT JOIN grids_grid g ON g.id = o.grid_id "
            "WHERE o.town_id = %s GROUP BY o.grid_id, g.name ORDER BY g.name", [town_id])
        cursor.fetchall()
        cursor.execute(
            f"SELECT COUNT(*), SUM(CASE WHEN {covered} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN o.work_covered THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {covered} AND o.work_covered THEN 1 ELSE 0 END) "
            "FROM services_organisation o WHERE o.town_id = %s", [town_id])
        cursor.fetchall()


def product_coverage(reader):
    from gridgov.services import coverage

    register = coverage.register_for(reader)
    coverage.coverage_by(register, "grid")
    coverage.coverage_total(register)


def measure(runs: int) -> dict:
    from gridgov.accounts.models import User
    from gridgov.grids.models import Town
    from gridgov.services.models import ServiceItem

    town = Town.objects.get(name="压测镇")
    results = {"search": {}, "coverage": {}}
    per_run = {"search": [], "search_raw": [], "coverage": [], "coverage_raw": []}
    for _run in range(runs):
        product, raw = [], []
        for query in QUERIES:
            # Taking turns, so that neither side has the warmer cache.
            raw += timed(lambda q=query: raw_search(town.pk, q), REPEATS // 2)
            product += timed(lambda q=query: product_search(town.pk, q), REPEATS // 2)
            raw += timed(lambda q=query: raw_search(town.pk, q), REPEATS // 2)
            product += timed(lambda q=query: product_search(town.pk, q), REPEATS // 2)
        per_run["search"].append((statistics.median(product), p95(product)))
        per_run["search_raw"].append((statistics.median(raw), p95(raw)))
        per_run["coverage"].append(statistics.median(timed(
            lambda: product_coverage(User.objects.by_phone("13800999001").get()), 5)))
        per_run["coverage_raw"].append(statistics.median(timed(lambda: raw_coverage(town.pk), 5)))
    counts = {q: ServiceItem.objects.active().filter(town=town).search(q).count() for q in QUERIES}
    results["search"] = {
        "median_ms": round(statistics.median(m for m, _p in per_run["search"]), 1),
        "p95_ms": round(statistics.median(p for _m, p in per_run["search"]), 1),
        "raw_median_ms": round(statistics.median(m for m, _p in per_run["search_raw"]), 1),
        "raw_p95_ms": round(statistics.median(p for _m, p in per_run["search_raw"]), 1),
        "matches": counts,
    }
    results["search"]["ratio"] = round(results["search"]["p95_ms"]
                                       / max(results["search"]["raw_p95_ms"], 0.01), 2)
    results["coverage"] = {"ms": round(statistics.median(per_run["coverage"]), 1),
                           "raw_ms": round(statistics.median(per_run["coverage_raw"]), 1)}
    results["coverage"]["ratio"] = round(results["coverage"]["ms"]
                                         / max(results["coverage"]["raw_ms"], 0.01), 2)
    return results


def machine() -> dict:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "nproc": os.cpu_count(), "python": platform.python_version()}


def section(db: str, data: dict) -> str:
    s, c = data["search"], data["coverage"]
    goals = [("search p95 ≤ 50 ms", s["p95_ms"] <= GOALS["search_p95_ms"]),
             ("search ≤ 2× raw", s["ratio"] <= GOALS["search_ratio"]),
             ("coverage ≤ 500 ms", c["ms"] <= GOALS["coverage_ms"])]
    met = "; ".join(f"{name}: **{'yes' if ok else 'no'}**" for name, ok in goals)
    written = (f"Data written in {data['load_seconds']} s." if "load_seconds" in data
               else "Data of an earlier run (--reuse).")
    matches = "、".join(f"{q} {n}" for q, n in s["matches"].items())
    return f"""### {"SQLite" if db == "sqlite" else "PostgreSQL"}
{data["machine"]["cpu"]}, {data["machine"]["nproc"]} cores shared with other work (load average
{data["load_before"]} before the run, {data["load_after"]} after). {written}
Median of {data["runs"]} runs; search: {len(QUERIES)} queries × {REPEATS} each per run;
coverage: 5 per run. Goals: {met}.

| what | median ms | p95 ms | raw SQL ms (median / p95) | product / raw |
|---|---|---|---|---|
| catalogue search (count + first 20) | {s["median_ms"]} | {s["p95_ms"]} | {s["raw_median_ms"]} / {s["raw_p95_ms"]} | {s["ratio"]}× |
| coverage table by grid + total, 50,000 organisations | {c["ms"]} | | {c["raw_ms"]} | {c["ratio"]}× |

Matches per query: {matches}.
"""


INTRO = """## Services

`bench/services.py` (`.venv/bin/python bench/services.py --db sqlite|postgres`): one town with
50,000 catalogue items (names and texts from the package's words: 外卖, 骑手, 充电, 驿站 …)
and 50,000 new-sector organisations in 40 grids. The catalogue search is
`ServiceItem.objects.active().filter(town=…).search_page(q, 0, 20)`: its count and first page of
20 (ids sorted on two narrow columns, then those 20 rows read whole), as the
catalogue page and `/api/services/items` read them, for two-character words (外卖, 骑手, 充电),
longer ones, two terms and a word matching nothing; beside it, the same search written by hand
as one statement (the same index conditions and substring tests, the count as a window). The
coverage table is `coverage_by(register, "grid")` plus the total for a town-wide party-affairs
reader (scope through `visible_to`), beside the same GROUP BY by hand. Goals: search p95
≤ 50 ms and ≤ 2× the raw query; coverage ≤ 500 ms.

The search reads one lower-cased column (`search_text`) through indexes, as the cases' search
does (gridgov/core/textsearch.py; migration services 0002_search): trigrams for terms of three
characters or more (SQLite: an FTS5 trigram table; PostgreSQL: a pg_trgm GIN index answering
LIKE, offered beside the pair index, whose statistics keep the planner off a scan for a common
longer word), character pairs for two-character words (SQLite: an FTS5 table of pairs;
PostgreSQL: a GIN index on `gridgov_pairs(search_text, '')`), and the substring test of every
term on the rows the indexes name, so the matches are exactly a scan's. The raw query is the same
indexed search by hand (the same MATCH / LIKE / @> conditions and substring tests, the count as a
window). The word lists make each two-character word match about 11,000 of the 50,000 items, so
a count still reads a fifth of the table for those: that, and the machine's load, is the p95.
Before the indexes (one scan per search, runs of 2025-12 at load average 6 to 9): p95 160.9 ms
on SQLite and 84.3 ms on PostgreSQL. What moved the numbers before that (SQLite): sorting whole
rows of every match and a second scan for the count made the first version 188 ms median (2.1×
the raw query); ranking the page's ids on two narrow columns with the count as a window over the
same pass, then reading 20 rows, brought it to the raw query's cost.

Same machine and load (load average 2 to 3), the scan the search made before, as raw SQL, beside
the indexed raw query, 8 queries × 30 (median / p95): SQLite 27.7 / 65.3 ms scanned, 4.7 / 20.9
indexed; PostgreSQL 17.6 / 23.0 scanned, 6.8 / 30.4 indexed. On PostgreSQL a word found in a
fifth of the items (外卖, 骑手, 充电: about 11,300 matches each) costs as much through the pair
index as by a scan (about 33 ms against 28: a bitmap read of most of the table's pages and a
parallel sort of every match under the count's window), and it sets the p95; rarer words, longer
ones and two terms are 3 to 8 times faster. The runs below are at a lighter load than the ones
before the indexes, which is part of the difference from 160.9 and 84.3 ms.
"""


def write_docs(db: str, data: dict) -> None:
    text = DOCS.read_text(encoding="utf-8")
    block = section(db, data)
    heading = "### SQLite" if db == "sqlite" else "### PostgreSQL"
    if "## Services" not in text:
        text = text.rstrip("\n") + "\n\n\n" + INTRO + "\n" + block
    else:
        start = text.index("## Services")
        nxt = re.search(r"\n## ", text[start + 3:])
        end = start + 3 + nxt.start() + 1 if nxt else len(text)
        services = text[start:end]
        if heading in services:
            s = services.index(heading)
            m = re.search(r"\n### ", services[s + 4:])
            e = s + 4 + m.start() + 1 if m else len(services)
            services = services[:s] + block + ("\n" if m else "") + services[e:]
        else:
            services = services.rstrip("\n") + "\n\n" + block
        text = text[:start] + services + text[end:]
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--docs-only", action="store_true",
                        help="rewrite this database's section from its last results file")
    args = parser.parse_args()
    if args.docs_only:
        write_docs(args.db, json.loads((VAR / f"services-{args.db}.json").read_text()))
        return
    configure(args.db, args.reuse)
    load_before = round(os.getloadavg()[0], 2)
    data = {"runs": args.runs, "machine": machine(), "load_before": load_before}
    from gridgov.grids.models import Town

    if not (args.reuse and Town.objects.filter(name="压测镇").exists()):
        data.update(load(random.Random(20251229)))
    data.update(measure(args.runs))
    data["load_after"] = round(os.getloadavg()[0], 2)
    (VAR / f"services-{args.db}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2))
    print(json.dumps(data, ensure_ascii=False, indent=2))
    if not args.no_docs:
        write_docs(args.db, data)


if __name__ == "__main__":
    main()
