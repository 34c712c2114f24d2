"""Invented cases for bench/cases.py: a town's year or a city's million, written in bulk.

The registry is the demo's (`gridgov load_demo` with no demo cases: 新泾镇, its 16 grids, its
departments and one handler per department, the catalogue). Every case lies in the town, so
that the town's operator and leader see all of them: the worst case for a scoped list.

Each case is told as the platform would have written it, over the year before now:
reported at a random moment (mostly in the daytime), its grid found by gridgov.grids.lookup,
its department the category's default (gridgov.cases.workflow.default_department), its
deadline in working time from registration (checked against gridgov.cases.deadlines.compute),
then registered, dispatched, accepted, handled, verified, closed and rated at later moments —
as far as each case's intended ending and the present allow, so that the newest cases are still
open and a few old ones are stuck (overdue, suspended, awaiting an extension). Some are
rejected, merged into an earlier case of their category, handled on the spot by grid staff,
returned once or reworked once; warnings and escalations are marked where the deadline sweep
would have marked them. A share of the cases (--events) gets its full CaseEvent history.

Rows go in by executemany (SQLite) or COPY (PostgreSQL) in the order they were reported.
What the product derives from cases is then rebuilt by the product's own functions:
the search index (gridgov.cases.search: on SQLite its triggers are dropped during the load and
put back by restore_sqlite_triggers(), which re-reads every row; on PostgreSQL the pg_trgm
indexes are dropped and created again with the statements of the migration) and the indicators
rollup (gridgov.indicators.rollup.rebuild()). Audit entries and photos are not invented: no page
measured here reads them.
"""

import datetime as dt
import io
import json
import math
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from bench.office_clock import DAY, OfficeClock

TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BATCH = 5000
HISTORY_DAYS = 365
# The street problems the newspaper names come up far more often than a broken hydrant.
COMMON = {"占道经营", "暴露垃圾", "共享单车乱停放", "跨门营业", "非法小广告", "机动车乱停放",
          "外卖快递电动车乱停乱行", "噪声扰民", "餐饮油烟", "占道堆物", "路灯", "群租", "违法搭建"}
# How a case is meant to end, with weights; the present cuts the newest short.
ENDINGS = {
    "evaluated": 52, "closed": 18, "unsatisfied": 2, "self_handled": 10, "rejected": 3,
    "merged": 2, "stuck": 1.5, "suspended": 0.8, "extension": 0.5, "forgotten": 0.2,
}
SOURCES = {"resident": 45, "patrol": 30, "hotline": 20, "deputy": 2, "visit": 3}
ROADS = ["泾华路", "淞虹路", "天山西路", "新渔东路", "泾西路", "泾南路", "北翟路", "哈密路",
         "福泉北路", "剑河路", "金钟路", "协和路", "通协路", "广顺北路"]
LANDMARKS = ["地铁站出口", "公交站", "菜场门口", "小学门口", "幼儿园旁", "商业街", "人行道",
             "非机动车道", "绿化带", "弄堂口", "停车场", "垃圾厢房旁", "健身点", "楼道里"]
DETAILS = ["，影响行人通行", "，已经好几天了", "，希望尽快处理", "，晚上尤其明显", "，附近居民反映较多",
           "，存在安全隐患", "，多次反映未解决", "，早高峰特别严重", "，老人小孩经过很危险", "",
           "", ""]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = ["建华", "秀英", "志强", "丽华", "伟", "敏", "海燕", "国平", "玉兰", "晓东", "静", "磊"]
SUSPEND_NOTE = "涉及规划调整，待统筹解决"
EXTENSION_NOTE = "需协调产权单位，申请延期"


class State:
    """gridgov.cases.models.State as plain strings (what the drivers are given); checked
    against the model in setup_columns()."""

    REPORTED, REGISTERED, REJECTED = "reported", "registered", "rejected"
    DISPATCHED, HANDLING, HANDLED = "dispatched", "handling", "handled"
    VERIFIED, SUSPENDED, CLOSED = "verified", "suspended", "closed"
    EVALUATED, MERGED = "evaluated", "merged"


class Satisfaction:
    SATISFIED, BASICALLY, UNSATISFIED = "satisfied", "basically", "unsatisfied"


@dataclass
class World:
    """The registry the cases are spread over, read once."""

    town: object
    grids: list  # Grid rows
    categories: list  # Category rows
    departments: dict  # (category id, community id) -> Department
    operator: object
    leader: object
    resident_ids: list
    grid_staff: dict  # grid id -> user
    handlers: dict  # department id -> user


def load_registry(write=print) -> None:
    """The demo registry, its accounts and the catalogue, without demo cases (idempotent)."""
    from django.core.management import call_command

    # Only the cases' loader and what it needs: the other parts' demo data files cases too (a
    # visit's follow-up), which would add to the count the data set is made of.
    with override_settings(GRIDGOV_DEMO_CASES=0):
        call_command("load_demo", only=["cases"], stdout=io.StringIO())
    from gridgov.cases import catalogue

    catalogue.load()
    _ensure_residents()
    write("registry: demo town, grids, departments, accounts, catalogue")



def _ensure_residents(count: int = 50) -> None:
    """Signed-in residents who report now and then (accounts made by the accounts actions)."""
    from gridgov.accounts import actions
    from gridgov.accounts.models import User

    for index in range(count):
        phone = f"1390000{index:04d}"
        if not User.objects.by_phone(phone).exists():
            actions.create_user(actor=None, phone=phone,
                                name=SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)])


def world() -> World:
    from gridgov.accounts.models import RoleAssignment, User
    from gridgov.accounts.roles import Role
    from gridgov.cases.models import Case, Category
    from gridgov.cases.workflow import default_department
    from gridgov.core.scope import ScopeKind
    from gridgov.demo import xinjing
    from gridgov.demo.loaders import xinjing_town
    from gridgov.grids.models import Department, DepartmentKind, Grid, GridStaff

    town = xinjing_town()
    grids = list(Grid.objects.filter(town=town).order_by("number"))
    categories = list(Category.objects.filter(is_active=True).order_by("kind", "major_code",
                                                                      "minor_code"))
    departments = {}
    fallback = Department.objects.filter(town=town).order_by("pk").first()
    for category in categories:
        for community_id in {g.community_id for g in grids}:
            probe = Case(town=town, community_id=community_id, category=category)
            departments[(category.pk, community_id)] = (
                default_department(probe)
                or Department.objects.filter(town=town, kind=DepartmentKind.NEIGHBOURHOOD,
                                             community_id=community_id).first()
                or fallback)
    accounts = {seed.role: seed.phone for seed in xinjing.DEMO_ACCOUNTS}
    grid_staff = {}
    for post in GridStaff.objects.filter(grid__town=town).select_related("user").order_by("pk"):
        grid_staff.setdefault(post.grid_id, post.user)
    handlers = {}
    for assignment in (RoleAssignment.objects.filter(role=Role.HANDLER,
                                                     scope_kind=ScopeKind.DEPARTMENT)
                       .select_related("user").order_by("pk")):
        handlers.setdefault(assignment.scope_id, assignment.user)
    residents = [u.pk for u in User.objects.filter(role_assignments=None).order_by("pk")]
    return World(
        town=town, grids=grids, categories=categories, departments=departments,
        operator=User.objects.by_phone(accounts[Role.OPERATOR]).get(),
        leader=User.objects.by_phone(accounts[Role.LEADER]).get(),
        resident_ids=residents, grid_staff=grid_staff, handlers=handlers,
    )


# --- deadlines, as arrays -------------------------------------------------------------------

def limits(categories) -> tuple[np.ndarray, np.ndarray]:
    """Per category: the unit (0 working days, 1 office hours, 2 clock hours) and the amount,
    as gridgov.cases.deadlines.limit_for decides for the category's default urgency."""
    from gridgov.cases.deadlines import limit_for

    units, amounts = [], []
    for category in categories:
        unit, amount = limit_for(category, category.urgency)
        units.append({"days": 0, "office_hours": 1, "clock_hours": 2}[unit])
        amounts.append(amount)
    return np.array(units), np.array(amounts, dtype=np.float64)


def deadlines_from(clock: OfficeClock, start, unit, amount) -> tuple[np.ndarray, np.ndarray]:
    """(due, warn) positions for clocks starting at `start` (gridgov.cases.deadlines.compute)."""
    from gridgov.cases.deadlines import WARN_FRACTION

    due = np.empty_like(start)
    warn = np.empty_like(start)
    days, office, clock_hours = unit == 0, unit == 1, unit == 2
    if days.any():
        due[days] = clock.after_working_days(start[days], amount[days].astype(np.int64))
        total = clock.office_minutes_between(start[days], due[days])
        warn[days] = clock.add_office_minutes(start[days], total * WARN_FRACTION)
    if office.any():
        due[office] = clock.add_office_minutes(start[office], amount[office] * 60)
        warn[office] = clock.add_office_minutes(start[office], amount[office] * 60 * WARN_FRACTION)
    due[clock_hours] = start[clock_hours] + amount[clock_hours] * 60
    warn[clock_hours] = start[clock_hours] + amount[clock_hours] * 60 * WARN_FRACTION
    return due, warn


def check_clock(clock: OfficeClock, categories, rng, samples: int = 400) -> None:
    """The array clock must agree with the product's deadlines and working hours."""
    from gridgov.cases.deadlines import compute
    from gridgov.core.workdays import working_hours_between

    units, amounts = limits(categories)
    pick = rng.integers(0, len(categories), samples)
    start = np.round(rng.uniform(0, clock.span - 40 * DAY, samples))
    due, warn = deadlines_from(clock, start, units[pick], amounts[pick])
    end = start + rng.uniform(1, 20 * DAY, samples).round()
    hours = clock.office_minutes_between(start, end) / 60
    for i in range(samples):
        category = categories[pick[i]]
        want_due, want_warn = compute(category, category.urgency, clock.moment(start[i]))
        for name, got, want in (("due", due[i], want_due), ("warn", warn[i], want_warn)):
            if abs((clock.moment(got) - want).total_seconds()) > 1:
                raise AssertionError(f"office clock {name} {clock.moment(got)} != {want} for "
                                     f"{category} from {clock.moment(start[i])}")
        want_hours = working_hours_between(clock.moment(start[i]), clock.moment(end[i]))
        if abs(hours[i] - want_hours) > 1e-6:
            raise AssertionError(f"office clock hours {hours[i]} != {want_hours}")


# --- the cases -------------------------------------------------------------------------------

def _points(world: World, count: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Random points in the town's grids, and the grid the product's lookup files each under."""
    from gridgov.grids import lookup

    west = min(g.min_longitude for g in world.grids)
    east = max(g.max_longitude for g in world.grids)
    south = min(g.min_latitude for g in world.grids)
    north = max(g.max_latitude for g in world.grids)
    coords, grid_ids = [], []
    while sum(len(c) for c in coords) < count:
        batch = rng.uniform((west, south), (east, north), size=(count, 2)).round(6)
        found = lookup.locate_many(batch, town=world.town)
        assigned = np.array([r.assigned_grid_id or 0 for r in found])
        keep = assigned > 0
        coords.append(batch[keep])
        grid_ids.append(assigned[keep])
    return np.concatenate(coords)[:count], np.concatenate(grid_ids)[:count]


def _choice(rng, weights: dict, count: int) -> np.ndarray:
    names = list(weights)
    p = np.array([weights[n] for n in names], dtype=np.float64)
    return np.array(names, dtype=object)[rng.choice(len(names), count, p=p / p.sum())]


class Story:
    """Every case's moments as arrays of positions (minutes on the office clock), NaN where the
    case never got there."""

    STAGES = ("reported", "registered", "dispatched", "handling", "handled", "verified", "closed",
              "evaluated")

    def __init__(self, clock: OfficeClock, world: World, count: int, now_pos: float, rng):
        n = count
        self.n = n
        first = max(now_pos - HISTORY_DAYS * DAY, 0)
        day = np.floor(rng.uniform(first / DAY, now_pos / DAY, n))
        # Residents report from morning to late evening; patrols in office hours.
        minute = np.where(rng.random(n) < 0.6, rng.uniform(9 * 60, 18 * 60, n),
                          rng.uniform(7 * 60, 22 * 60, n)).round()
        reported = np.minimum(day * DAY + minute, now_pos - 1 - rng.uniform(0, 60, n).round())
        order = np.argsort(reported, kind="stable")
        self.reported = reported[order]
        self.ending = _choice(rng, ENDINGS, n)
        self.source = np.where(self.ending == "self_handled", "patrol", _choice(rng, SOURCES, n))
        weights = np.array([8.0 if c.name in COMMON else 1.0 for c in world.categories])
        self.category = rng.choice(len(world.categories), n, p=weights / weights.sum())
        units, amounts = limits(world.categories)
        unit, amount = units[self.category], amounts[self.category]

        reg = self.reported + rng.uniform(10, 180, n).round()
        self_handled = self.ending == "self_handled"
        reg[self_handled] = self.reported[self_handled]
        self.registered = reg
        self.due, self.warn = deadlines_from(clock, reg, unit, amount)
        limit = np.where(unit == 2, amount * 60, clock.office_minutes_between(reg, self.due))
        self.dispatched = reg + rng.uniform(5, 120, n).round()
        self.accepted = self.dispatched + rng.uniform(10, 240, n).round()
        late = rng.random(n) < 0.12
        share = np.where(late, rng.uniform(1.05, 1.6, n), rng.uniform(0.15, 0.8, n))
        handled = np.where(unit == 2, reg + share * limit,
                           clock.add_office_minutes(reg, np.maximum(share * limit, 1)))
        self.handled = np.maximum(np.ceil(handled), self.accepted + 30)
        self.verified = np.ceil(clock.add_office_minutes(self.handled, rng.uniform(30, 480, n)))
        self.closed = np.ceil(clock.add_office_minutes(self.verified, rng.uniform(30, 240, n)))
        self.evaluated = self.closed + rng.uniform(120, 2880, n).round()
        self.side_step = reg + rng.uniform(60, 2000, n).round()  # a suspension
        self.requested = self.accepted + rng.uniform(60, 600, n).round()  # an extension request
        self.returned = rng.random(n) < 0.08
        self.reworked = rng.random(n) < 0.06
        # A reworked case is handled a second time between its first handling and verification.
        self.handled_again = np.round(self.handled + 0.6 * (self.verified - self.handled))
        final = np.where(self.reworked, self.handled_again, self.handled)
        self.handling_hours = np.round(clock.office_minutes_between(reg, final) / 60, 2)
        self.now = now_pos

        stage_times = np.stack([self.reported, reg, self.dispatched, self.accepted, self.handled,
                                self.verified, self.closed, self.evaluated], axis=1)
        reached = (stage_times <= now_pos).sum(axis=1)  # stages in order, so a count says where
        cap = np.full(n, 8)
        cap[self.ending == "closed"] = 7
        cap[self.ending == "stuck"] = 4
        cap[self.ending == "extension"] = 4
        cap[self.ending == "suspended"] = 2
        cap[np.isin(self.ending, ["rejected", "merged", "forgotten"])] = 1
        self.reached = np.minimum(reached, cap)
        self.paused = np.full(n, np.nan)
        suspended = (self.ending == "suspended") & (self.reached == 2) & (self.side_step <= now_pos)
        waiting = (self.ending == "extension") & (self.reached == 4) & (self.requested <= now_pos)
        self.paused[suspended] = self.side_step[suspended]
        self.paused[waiting] = self.requested[waiting]
        self.suspended, self.waiting = suspended, waiting
        # Rejected and merged a little after the report, if that moment has come.
        self.decided = self.reported + rng.uniform(10, 180, n).round()
        undecided = np.isin(self.ending, ["rejected", "merged"]) & (self.decided > now_pos)
        self.ending[undecided] = "forgotten"
        self.self_handled = self_handled
        # Read one case at a time from here on: plain Python values are many times faster to
        # read and add than numpy scalars.
        for name, value in list(vars(self).items()):
            if isinstance(value, np.ndarray):
                setattr(self, name, value.tolist())


def _tracking_codes(rng, count: int, taken: set) -> list[str]:
    letters = np.array(list(TRACKING_ALPHABET))
    codes = ["".join(row) for row in letters[rng.integers(0, len(letters), (count, 10))]]
    seen = set(taken)
    for index, code in enumerate(codes):
        while code in seen:
            code = "".join(letters[rng.integers(0, len(letters), 10)])
        seen.add(code)
        codes[index] = code
    return codes


class Writer:
    """Rows of one model into its table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, model):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.datetimes = [i for i, f in enumerate(self.fields)
                          if f.get_internal_type() == "DateTimeField"]
        self.json = [i for i, f in enumerate(self.fields) if f.get_internal_type() == "JSONField"]
        self.vendor = connection.vendor

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(c) for c in self.columns)
        if self.vendor == "postgresql":
            rows = [self._json(row) for row in rows] if self.json else rows
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            rows = [self._sqlite(row) for row in rows]
            marks = ", ".join(["%s"] * len(self.columns))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    def _json(self, row):
        row = list(row)
        for i in self.json:
            row[i] = json.dumps(row[i], ensure_ascii=False)
        return row

    def _sqlite(self, row):
        """As Django's SQLite backend stores them: datetimes (given as naive UTC) as text."""
        row = list(row)
        for i in self.datetimes:
            if row[i] is not None:
                row[i] = str(row[i])
        for i in self.json:
            row[i] = json.dumps(row[i], ensure_ascii=False)
        return row


class Generator:
    def __init__(self, world: World, count: int, seed: int, event_share: float, now=None):
        self.world = world
        self.count = count
        self.rng = np.random.default_rng(seed)
        self.event_share = event_share
        self.now = now or timezone.now()
        first_day = timezone.localdate(self.now) - dt.timedelta(days=HISTORY_DAYS + 1)
        # Deadlines of the newest cases (15 working days, a long holiday) lie well ahead.
        self.clock = OfficeClock(first_day, timezone.localdate(self.now) + dt.timedelta(days=60))
        self.now_pos = self.clock.position(self.now)
        # Timestamps as the driver takes them: SQLite stores naive UTC text, PostgreSQL gets
        # aware datetimes.
        origin = self.clock.origin.astimezone(dt.timezone.utc)
        self.origin = origin.replace(tzinfo=None) if connection.vendor == "sqlite" else origin

    def stamp(self, position: float) -> dt.datetime:
        return self.origin + dt.timedelta(minutes=position)

    def run(self, write=print) -> dict:
        from gridgov.cases.models import Case, CaseEvent, ExtensionRequest

        started = time.perf_counter()
        check_clock(self.clock, self.world.categories, self.rng)
        story = Story(self.clock, self.world, self.count, self.now_pos, self.rng)
        coords, grid_ids = _points(self.world, self.count, self.rng)
        first_id = (Case.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        taken = set(Case.objects.values_list("tracking_code", flat=True))
        codes = _tracking_codes(self.rng, self.count, taken)
        events_for = self.rng.random(self.count) < self.event_share
        texts = self._texts(story, grid_ids)
        phones = self._phones()
        write(f"story told in {time.perf_counter() - started:.1f} s")

        case_writer, event_writer = Writer(Case), Writer(CaseEvent)
        extension_writer = Writer(ExtensionRequest)
        numbers = _NumberBook(self.clock)
        last_of_category: dict[int, int] = {}
        event_id = (CaseEvent.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        extension_id = (ExtensionRequest.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        counts = defaultdict(int)
        grid_community = {g.pk: g.community_id for g in self.world.grids}
        with _search_index_paused(), _indexes_paused([Case, CaseEvent]):
            for start in range(0, self.count, BATCH):
                cases, events, extensions = [], [], []
                for i in range(start, min(start + BATCH, self.count)):
                    row, case_events, extension = self._case(
                        i, first_id + i, story, codes[i], coords[i], int(grid_ids[i]),
                        grid_community, texts[i], phones, numbers, last_of_category,
                        bool(events_for[i]))
                    cases.append(row)
                    counts[str(row[self._state_index])] += 1
                    if extension is not None:
                        extensions.append((extension_id, *extension))
                        extension_id += 1
                    for event in case_events:
                        events.append((event_id, *event))
                        event_id += 1
                with transaction.atomic():
                    case_writer.write(cases)
                    event_writer.write(events)
                    extension_writer.write(extensions)
                counts["events"] += len(events)
                done = min(start + BATCH, self.count)
                if done % 100_000 < BATCH or done == self.count:
                    write(f"  {done:,} cases ({time.perf_counter() - started:.0f} s)")
            numbers.save()
            _reset_sequences()
            write(f"rows written in {time.perf_counter() - started:.1f} s; search index next")
        index_s = time.perf_counter() - started
        from gridgov.indicators import rollup

        rollup_started = time.perf_counter()
        rollup.rebuild(self.now)
        counts["rollup_s"] = round(time.perf_counter() - rollup_started, 1)
        write(f"rollup rebuilt in {counts['rollup_s']} s")
        counts["rows_and_index_s"] = round(index_s, 1)
        counts["total_s"] = round(time.perf_counter() - started, 1)
        return dict(counts)

    _state_index = None  # set below, once the Case columns are known

    def _texts(self, story: Story, grid_ids) -> list[tuple[str, str]]:
        from gridgov.demo import xinjing

        rng = self.rng
        n = self.count
        road = rng.integers(0, len(ROADS), n)
        number = rng.integers(1, 1000, n)
        landmark = rng.integers(0, len(LANDMARKS), n)
        detail = rng.integers(0, len(DETAILS), n)
        building = rng.integers(1, 40, n)
        at_compound = rng.random(n) < 0.4
        numbers = {g.pk: g.number for g in self.world.grids}
        result = []
        for i in range(n):
            category = self.world.categories[story.category[i]]
            if at_compound[i]:
                compound = xinjing.COMPOUNDS[(numbers[int(grid_ids[i])] - 1) % len(xinjing.COMPOUNDS)]
                address = f"{compound}{building[i]}号楼"
            else:
                address = f"{ROADS[road[i]]}{number[i]}号"
            description = f"{address}{LANDMARKS[landmark[i]]}{category.plain_name}{DETAILS[detail[i]]}"
            result.append((description, address))
        return result

    def _phones(self) -> list[tuple[str, str]]:
        """A few hundred callers (name, encrypted phone): each reports more than once."""
        from gridgov.core import pii

        people = []
        for index in range(300):
            name = SURNAMES[index % len(SURNAMES)] + GIVEN[(index // 7) % len(GIVEN)]
            people.append((name, pii.encrypt(f"13{5 + index % 5}{index:08d}")))
        return people

    def _case(self, i, pk, story: Story, code, coord, grid_id, grid_community, text, phones,
              numbers, last_of_category, with_events: bool):
        world, clock, rng = self.world, self.clock, self.rng
        category = world.categories[story.category[i]]
        community_id = grid_community[grid_id]
        ending = story.ending[i]
        source = story.source[i]
        moment = self.stamp
        reported = moment(story.reported[i])
        reached = int(story.reached[i])

        reporter_id, name, phone, anonymous = None, "", "", False
        pick = rng.random()
        if source == "patrol":
            staff = world.grid_staff.get(grid_id)
            reporter_id = staff.pk if staff else None
        elif source == "resident":
            if pick < 0.35:
                anonymous = True
            elif pick < 0.5:
                reporter_id = world.resident_ids[int(pick * 1000) % len(world.resident_ids)]
            else:
                name, phone = phones[int(pick * 10_000) % len(phones)]
        else:
            reporter_id = world.operator.pk
            if source == "hotline":
                name, phone = phones[int(pick * 10_000) % len(phones)]

        department = None
        fields = dict(registered_at=None, dispatched_at=None, handled_at=None, closed_at=None,
                      due_at=None, warn_at=None, clock_paused_at=None, warned_at=None,
                      escalated_at=None, closed_on_time=None, handling_hours=None,
                      state_before_suspension="", satisfaction="", satisfaction_reason="",
                      needs_review=False, sample_checked_at=None, merged_into_id=None,
                      return_count=0, rework_count=0)
        events = []
        operator, staff = world.operator, world.grid_staff.get(grid_id) or world.operator
        reporter_label = "AnonymousUser" if reporter_id is None else (
            str(world.operator) if reporter_id == world.operator.pk else "居民")

        def event(action, before, after, at, actor=None, label="系统", department_id=None,
                  note="", data=None):
            if not with_events:
                return
            values = {"case_id": pk, "action": action, "from_state": before, "to_state": after,
                      "actor_id": actor.pk if actor else None,
                      "actor_label": (str(actor) if actor else label)[:100],
                      "department_id": department_id, "note": note, "data": data or {},
                      "at": moment(at), "actor_role": "", "actor_unit_kind": "",
                      "actor_unit_id": None, "actor_unit": "", "reply": ""}
            events.append(tuple(values[c] for c in _EVENT_COLUMNS))

        events_start = len(events)
        event("report", "", State.REPORTED, story.reported[i], label=reporter_label,
              data={"source": source, "photos": 0})
        last_time = story.reported[i]
        if ending == "self_handled":
            state = State.CLOSED
            due, warn = story.due[i], story.warn[i]
            fields.update(registered_at=reported, handled_at=reported, closed_at=reported,
                          due_at=moment(due), warn_at=moment(warn), closed_on_time=True,
                          handling_hours=0.0)
            if rng.random() < 0.2:
                fields["sample_checked_at"] = moment(min(story.reported[i] + 3 * DAY,
                                                         self.now_pos - 1))
            event("self_handle", State.REPORTED, State.CLOSED, story.reported[i], actor=staff,
                  data={"due_at": moment(due).isoformat()})
            is_self_handled = True
        elif ending in ("rejected", "merged"):
            at = story.decided[i]
            last_time = at
            target = last_of_category.get(category.pk) if ending == "merged" else None
            if target is not None:
                state = State.MERGED
                fields["merged_into_id"] = target
                event("merge", State.REPORTED, State.MERGED, at, actor=operator,
                      data={"into": target})
            else:
                state = State.REJECTED
                event("reject", State.REPORTED, State.REJECTED, at, actor=operator,
                      note="不属于本镇受理范围，已告知转相关部门")
            is_self_handled = False
        else:
            is_self_handled = False
            state = [State.REPORTED, State.REGISTERED, State.DISPATCHED, State.HANDLING,
                     State.HANDLED, State.VERIFIED, State.CLOSED, State.EVALUATED][reached - 1]
            last_time = self._path(i, story, reached, fields, event, category, community_id)
            department = fields.pop("_department", None)
            if story.suspended[i]:
                state = State.SUSPENDED
                fields.update(state_before_suspension=State.REGISTERED,
                              clock_paused_at=moment(story.paused[i]))
                event("suspend", State.REGISTERED, State.SUSPENDED, story.paused[i],
                      actor=operator, note=SUSPEND_NOTE)
                last_time = story.paused[i]
            if reached >= 8:
                unsatisfied = ending == "unsatisfied"
                choice = Satisfaction.UNSATISFIED if unsatisfied else (
                    Satisfaction.SATISFIED if rng.random() < 0.82 else Satisfaction.BASICALLY)
                fields.update(satisfaction=choice,
                              satisfaction_reason="过几天问题又出现了" if unsatisfied else "",
                              needs_review=unsatisfied and rng.random() < 0.5)
                event("evaluate", State.CLOSED, State.EVALUATED, story.evaluated[i],
                      label="查询码持有人", note=fields["satisfaction_reason"],
                      data={"satisfaction": choice})
        extension = None
        if story.waiting[i]:
            handler = world.handlers.get(department.pk) if department else None
            fields["clock_paused_at"] = moment(story.paused[i])
            extension = (pk, handler.pk if handler else None, moment(story.paused[i]),
                         int(rng.choice([2, 3, 5])), EXTENSION_NOTE, "pending", None, None)
            event("request_extension", State.HANDLING, State.HANDLING, story.paused[i],
                  actor=handler, department_id=department.pk if department else None,
                  note=EXTENSION_NOTE, data={"working_days": extension[3]})
            last_time = story.paused[i]
        self._sweep_marks(i, story, fields)
        if state not in (State.REJECTED, State.MERGED):
            last_of_category[category.pk] = pk
        row = dict(
            id=pk, number=numbers.next(story.reported[i]), tracking_code=code,
            town_id=world.town.pk, community_id=community_id, grid_id=grid_id,
            category_id=category.pk, source=source, description=text[0], address=text[1],
            longitude=float(coord[0]), latitude=float(coord[1]), urgency=category.urgency,
            reporter_id=reporter_id, reporter_name=name, reporter_phone=phone,
            is_anonymous=anonymous, state=state,
            department_id=department.pk if department else None,
            is_self_handled=is_self_handled, origin_type="", origin_id="",
            reported_at=reported, paused_hours=0.0, is_sample=True,
            updated_at=moment(min(last_time, self.now_pos)), **fields)
        return (tuple(row[c] for c in _CASE_COLUMNS), events[events_start:], extension)

    def _path(self, i, story: Story, reached, fields, event, category, community_id) -> float:
        """Registration to rating, as far as the case got; the time of its last move."""
        moment, world = self.stamp, self.world
        operator = world.operator
        last = story.reported[i]
        if reached < 2:
            return last
        due, warn = story.due[i], story.warn[i]
        fields.update(registered_at=moment(story.registered[i]), due_at=moment(due),
                      warn_at=moment(warn))
        event("register", State.REPORTED, State.REGISTERED, story.registered[i], actor=operator,
              data={"category": category.pk, "urgency": category.urgency,
                    "due_at": moment(due).isoformat()})
        last = story.registered[i]
        if reached < 3:
            return last
        department = world.departments[(category.pk, community_id)]
        fields["_department"] = department
        handler = world.handlers.get(department.pk)
        dispatched = story.dispatched[i]
        dispatch_data = {"department": department.pk, "department_name": department.name}
        if story.returned[i] and reached >= 4:
            # Returned once by the department and dispatched again before it was accepted.
            gap = story.accepted[i] - dispatched
            event("dispatch", State.REGISTERED, State.DISPATCHED, dispatched, actor=operator,
                  department_id=department.pk, data=dispatch_data)
            event("return", State.DISPATCHED, State.REGISTERED, dispatched + 0.4 * gap,
                  actor=handler, department_id=department.pk, note="不属于本部门职责，请改派",
                  data={"department": department.pk, "return_count": 1})
            dispatched = round(dispatched + 0.7 * gap)
            fields["return_count"] = 1
        fields["dispatched_at"] = moment(dispatched)
        event("dispatch", State.REGISTERED, State.DISPATCHED, dispatched, actor=operator,
              department_id=department.pk, data=dispatch_data)
        last = dispatched
        if reached < 4:
            return last
        event("accept", State.DISPATCHED, State.HANDLING, story.accepted[i], actor=handler,
              department_id=department.pk)
        last = story.accepted[i]
        if reached < 5:
            return last
        handled = story.handled[i]
        if story.reworked[i] and reached >= 6:
            gap = story.verified[i] - handled
            event("handle", State.HANDLING, State.HANDLED, handled, actor=handler,
                  department_id=department.pk)
            event("fail_verification", State.HANDLED, State.HANDLING, handled + 0.3 * gap,
                  actor=operator, department_id=department.pk, note="现场复查仍未整改到位",
                  data={"rework_count": 1})
            handled = story.handled_again[i]
            fields["rework_count"] = 1
        fields["handled_at"] = moment(handled)
        event("handle", State.HANDLING, State.HANDLED, handled, actor=handler,
              department_id=department.pk)
        last = handled
        if reached < 6:
            return last
        event("verify", State.HANDLED, State.VERIFIED, story.verified[i], actor=operator,
              department_id=department.pk)
        last = story.verified[i]
        if reached < 7:
            return last
        closed = story.closed[i]
        hours = story.handling_hours[i]
        on_time = bool(closed <= due)
        fields.update(closed_at=moment(closed), closed_on_time=on_time, handling_hours=hours)
        event("close", State.VERIFIED, State.CLOSED, closed, actor=operator,
              department_id=department.pk,
              data={"closed_on_time": on_time, "handling_hours": hours})
        last = closed
        if reached >= 8:
            last = story.evaluated[i]
        return last

    def _sweep_marks(self, i, story: Story, fields) -> None:
        """The deadline sweep runs every minute: a deadline or warning that passed while the clock
        ran was marked a few minutes later."""
        if fields["due_at"] is None or fields["closed_at"] is not None and story.self_handled[i]:
            return
        running_until = self.now_pos
        if fields["closed_at"] is not None:
            running_until = story.closed[i]
        if not math.isnan(story.paused[i]):
            running_until = story.paused[i]
        for mark, at in (("warned_at", story.warn[i]), ("escalated_at", story.due[i])):
            if at + 5 < min(running_until, self.now_pos):
                fields[mark] = self.stamp(at + 5)


class _NumberBook:
    """Case numbers as gridgov.cases.workflow.next_number gives them: prefix, day, sequence."""

    def __init__(self, clock: OfficeClock):
        from gridgov.cases.models import CaseNumberSequence

        self.clock = clock
        self.prefix = getattr(settings, "GRIDGOV_CASE_NUMBER_PREFIX", "XJ")
        self.last = dict(CaseNumberSequence.objects.values_list("day", "last"))

    def next(self, position: float) -> str:
        day = self.clock.first_day + dt.timedelta(days=int(position // DAY))
        self.last[day] = self.last.get(day, 0) + 1
        return f"{self.prefix}{day:%Y%m%d}{self.last[day]:06d}"

    def save(self) -> None:
        from gridgov.cases.models import CaseNumberSequence

        CaseNumberSequence.objects.bulk_create(
            [CaseNumberSequence(day=day, last=last) for day, last in self.last.items()],
            update_conflicts=True, unique_fields=["day"], update_fields=["last"], batch_size=1000)


def _reset_sequences() -> None:
    """PostgreSQL: the id sequences continue after the ids written here."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    from gridgov.cases.models import Case, CaseEvent, ExtensionRequest

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Case, CaseEvent,
                                                                  ExtensionRequest]):
            cursor.execute(sql)


class _search_index_paused:
    """Write the rows without updating the search index row by row, then let the product's own
    code rebuild it (SQLite: restore_sqlite_triggers re-creates the triggers and re-reads every
    row; PostgreSQL: the migration's CREATE INDEX statements)."""

    def __enter__(self):
        from gridgov.cases import search

        with connection.cursor() as cursor:
            for index in search.INDEXES:
                if connection.vendor == "sqlite":
                    for name in index.sqlite_triggers:
                        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                else:
                    # The indexes only: the SQL function they are built on serves other
                    # tables' indexes too (the service catalogue's).
                    for sql in index.postgres_teardown:
                        if sql.startswith("DROP INDEX"):
                            cursor.execute(sql)
        return self

    def __exit__(self, *exc):
        from gridgov.cases import search

        if connection.vendor == "sqlite":
            search.restore_sqlite_triggers()
        else:
            with connection.cursor() as cursor:
                for index in search.INDEXES:
                    for sql in index.postgres_setup:
                        cursor.execute(sql)
                cursor.execute("ANALYZE")
        return False


class _indexes_paused:
    """Drop the tables' plain indexes while the rows go in and create them again from their
    own definitions afterwards: one sorted build per index instead of a million inserts into
    each. Indexes that back a constraint (primary key, unique) stay and are checked all along."""

    def __init__(self, models):
        self.tables = [model._meta.db_table for model in models]
        self.definitions: list[str] = []

    def __enter__(self):
        with connection.cursor() as cursor:
            for table in self.tables:
                if connection.vendor == "sqlite":
                    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                   "AND tbl_name = %s AND sql IS NOT NULL", [table])
                else:
                    cursor.execute(
                        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
                        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                        "WHERE c.conindid = x.indexrelid)", [table])
                for name, definition in cursor.fetchall():
                    self.definitions.append(definition)
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and connection.in_atomic_block:
                # Inside one transaction (the tests): check the deferred foreign keys now, as
                # PostgreSQL builds no index on a table with checks pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for definition in self.definitions:
                cursor.execute(definition)
        return False


def _case_columns() -> list[str]:
    from gridgov.cases.models import Case

    return [f.attname for f in Case._meta.concrete_fields]


_CASE_COLUMNS: list[str] = []
# The CaseEvent columns after the id, in the order the rows are built in.
_EVENT_COLUMNS: list[str] = []


def setup_columns() -> None:
    """After django.setup(): the order of the Case and CaseEvent columns the rows are built
    in."""
    from gridgov.cases import models

    _CASE_COLUMNS[:] = _case_columns()
    _EVENT_COLUMNS[:] = [f.attname for f in models.CaseEvent._meta.concrete_fields][1:]
    Generator._state_index = _CASE_COLUMNS.index("state")
    for plain, real in ((State, models.State), (Satisfaction, models.Satisfaction)):
        names = {v for k, v in vars(plain).items() if k.isupper()}
        assert names <= set(real.values), f"{plain.__name__} out of step with the model"



def generate(count: int, *, seed: int = 2025, event_share: float = 0.2, write=print) -> dict:
    setup_columns()
    return Generator(world(), count, seed, event_share).run(write)
