"""The monthly rollup (gridgov.indicators.rollup): every month equals the sum of its days after a
rebuild and after a refresh, and the indicators of any period — its whole months from the monthly
tables, the days at either end from the daily ones — equal those summed from the daily rows
alone."""

import datetime as dt
import importlib
import random

import pytest
from django.apps import apps
from django.db.models import Sum
from django.utils import timezone

from gridgov.indicators import rollup
from gridgov.indicators.figures import GROUPINGS, Period, Stats, indicator_rows, stats_for
from gridgov.cases.models import Case, Satisfaction, State
from gridgov.cases.tests.factories import CaseFactory, CategoryFactory

FIRST = dt.date(2024, 11, 10)  # the cases span FIRST .. about 15 months later
NOW = timezone.make_aware(dt.datetime(2026, 1, 20, 12))
COUNTS = ("registered", "dispatched", "returned", "handled", "reworked", "self_handled", "due",
          "closed", "closed_on_time", "overdue", "rated", "satisfied", "timed", "handling_hours")


def moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def random_case(world, rng, grids, departments, categories, **fields):
    registered = moment(FIRST + dt.timedelta(days=rng.randrange(400)), rng.randrange(8, 20))
    due = registered + dt.timedelta(days=rng.randrange(1, 45), hours=rng.randrange(8))
    values = {"grid": rng.choice(grids), "department": rng.choice(departments),
              "category": rng.choice(categories), "registered_at": registered, "due_at": due,
              "dispatched_at": registered if rng.random() < 0.8 else None,
              "return_count": rng.choice((0, 0, 0, 1)), "rework_count": rng.choice((0, 0, 1)),
              "is_self_handled": rng.random() < 0.1}
    fate = rng.choice(("closed", "closed", "closed", "open", "suspended", "merged"))
    if fate == "closed":
        closed = registered + dt.timedelta(days=rng.randrange(0, 50), hours=rng.randrange(8))
        values.update(state=rng.choice((State.CLOSED, State.EVALUATED)), closed_at=closed,
                      handled_at=closed, closed_on_time=closed <= due,
                      handling_hours=rng.randrange(0, 200) / 4,
                      satisfaction=rng.choice(("", *Satisfaction.values)))
    elif fate == "open":
        values.update(state=rng.choice((State.DISPATCHED, State.HANDLING)))
    elif fate == "suspended":
        values.update(state=State.SUSPENDED, clock_paused_at=registered + dt.timedelta(days=1))
    else:  # a duplicate of an earlier case
        target = Case.objects.exclude(state=State.MERGED).order_by("?").first()
        values.update(state=State.MERGED if target else State.REGISTERED, merged_into=target)
    values.update(fields)
    return CaseFactory(**values)


@pytest.fixture
def year(world):
    """250 cases of random fates over about fifteen months, in both communities and another
    town, several departments and categories."""
    rng = random.Random(20251123)
    world.grids = [world.grid_a1, world.grid_a2, world.grid_b1, world.other_grid]
    world.departments = [None, world.enforcement, world.market, world.property_a]
    world.categories = [world.category, CategoryFactory(), CategoryFactory()]
    for _ in range(250):
        random_case(world, rng, world.grids, world.departments, world.categories)
    rollup.rebuild(now=NOW)
    return world


def rollup_contents() -> dict:
    """Every daily and monthly row of every table, comparable."""
    contents = {}
    for table in rollup.TABLES:
        for model, grain in ((table.daily, "day"), (table.monthly, "month")):
            if model is None:
                continue
            keys = (grain, *rollup.SCOPE, *table.kept_by)
            contents[model.__name__] = sorted(
                model.objects.values_list(*keys, *COUNTS), key=lambda row: repr(row[:len(keys)]))
    return contents


def assert_months_equal_their_days():
    """Each monthly row is the sum of its daily rows, and no month lacks days or is missing."""
    for table in rollup.TABLES:
        if table.monthly is None:
            continue
        keys = (*rollup.SCOPE, *table.kept_by)
        summed = {}
        for row in table.daily.objects.values(*keys, "day", *COUNTS):
            key = (row["day"].replace(day=1), *(row[name] for name in keys))
            total = summed.setdefault(key, dict.fromkeys(COUNTS, 0))
            for name in COUNTS:
                total[name] += row[name]
        kept = {(row["month"], *(row[name] for name in keys)): {name: row[name] for name in COUNTS}
                for row in table.monthly.objects.values(*keys, "month", *COUNTS)}
        assert kept == summed, table.monthly.__name__
        assert table.monthly.objects.count() == len(kept)  # one row per month and group


def assert_same_rows(found, expected, case):
    assert [(row.key, row.label, row.counts, row.timed) for row in found] == [
        (row.key, row.label, row.counts, row.timed) for row in expected], case
    assert [row.handling_hours for row in found] == pytest.approx(
        [row.handling_hours for row in expected]), case


def periods() -> list[Period]:
    day = dt.date
    chosen = [
        Period(day(2025, 3, 1), day(2025, 3, 31)),    # one whole month
        Period(day(2025, 1, 1), day(2025, 6, 30)),    # whole months only
        Period(day(2025, 2, 14), day(2025, 5, 31)),   # partial month at the start
        Period(day(2025, 2, 1), day(2025, 5, 17)),    # partial month at the end
        Period(day(2025, 2, 14), day(2025, 5, 17)),   # partial months at both ends
        Period(day(2025, 4, 9), day(2025, 4, 9)),     # a single day
        Period(day(2025, 4, 30), day(2025, 5, 1)),    # two days of two months
        Period(day(2024, 12, 15), day(2025, 2, 10)),  # across a year boundary
        Period(day(2024, 12, 1), day(2025, 1, 31)),   # whole months across a year boundary
        Period(day(2024, 1, 1), day(2026, 12, 31)),   # beyond the cases at both ends
        Period(day(2025, 2, 1), day(2025, 2, 28)),    # February
    ]
    rng = random.Random(7)
    for _ in range(12):
        start = FIRST - dt.timedelta(days=20) + dt.timedelta(days=rng.randrange(450))
        chosen.append(Period(start, start + dt.timedelta(days=rng.randrange(0, 400))))
    return chosen


def test_any_period_adds_up_as_the_daily_rows_alone(year):
    """Every period of periods(), every grouping, reader and filter (one rebuild for them all)."""
    assert_months_equal_their_days()
    for period in periods():
        for user in (year.leader, year.operator_b):
            for grouping in GROUPINGS:
                for filters in ({}, {"community": year.community_a.pk},
                                {"category": year.categories[1].pk},
                                {"department": year.enforcement.pk}):
                    stats = stats_for(user, grouping, **filters)
                    expected = indicator_rows(Stats(stats.daily), period, grouping)
                    found = indicator_rows(stats, period, grouping)
                    assert_same_rows(found, expected, (period, user, grouping, filters))


def test_the_split_of_a_period():
    day = dt.date
    assert Period(day(2025, 3, 1), day(2025, 3, 31)).split() == (
        Period(day(2025, 3, 1), day(2025, 3, 31)), [])
    assert Period(day(2024, 12, 15), day(2025, 3, 3)).split() == (
        Period(day(2025, 1, 1), day(2025, 2, 28)),
        [Period(day(2024, 12, 15), day(2024, 12, 31)), Period(day(2025, 3, 1), day(2025, 3, 3))])
    assert Period(day(2024, 2, 1), day(2024, 2, 29)).split()[0] == Period(
        day(2024, 2, 1), day(2024, 2, 29))
    assert Period(day(2025, 3, 2), day(2025, 4, 30)).split() == (
        Period(day(2025, 4, 1), day(2025, 4, 30)), [Period(day(2025, 3, 2), day(2025, 3, 31))])
    for short in (Period(day(2025, 3, 2), day(2025, 3, 31)),
                  Period(day(2025, 3, 9), day(2025, 3, 9)),
                  Period(day(2025, 3, 31), day(2025, 4, 29))):
        assert short.split() == (None, [short])


def test_whole_months_are_read_from_the_monthly_table(year, django_assert_num_queries):
    stats = stats_for(year.leader)

    def sql_of(period) -> str:
        with django_assert_num_queries(1) as captured:
            indicator_rows(stats, period)
        return captured.captured_queries[0]["sql"]

    both_ends = sql_of(Period(dt.date(2025, 2, 10), dt.date(2025, 6, 5)))
    assert "indicators_gridmonthlystat" in both_ends and both_ends.count("indicators_griddailystat") > 1
    assert "indicators_griddailystat" not in sql_of(Period(dt.date(2025, 2, 1), dt.date(2025, 6, 30)))
    assert "indicators_gridmonthlystat" not in sql_of(Period(dt.date(2025, 2, 2), dt.date(2025, 3, 30)))


class TestRefresh:
    @staticmethod
    def settle():
        """Every case last written before the rollup's last refresh (NOW)."""
        Case.objects.update(updated_at=NOW - dt.timedelta(days=1))

    def test_a_deadline_moved_to_another_month_updates_both_months(self, year):
        self.settle()
        case = CaseFactory(grid=year.grid_a1, category=year.category, department=year.enforcement,
                           state=State.HANDLING, registered_at=moment(dt.date(2025, 3, 3)),
                           dispatched_at=moment(dt.date(2025, 3, 3)),
                           due_at=moment(dt.date(2025, 3, 20), 18))
        rollup.refresh(now=NOW)
        march, may = dt.date(2025, 3, 1), dt.date(2025, 5, 1)
        whole = {"march": Period(march, dt.date(2025, 3, 31)),
                 "may": Period(may, dt.date(2025, 5, 31))}

        def due():
            return {name: indicator_rows(stats_for(year.leader), period)[0].counts["due"]
                    for name, period in whole.items()}

        def monthly_due(month):
            return rollup.TABLES[0].monthly.objects.get(month=month, grid=year.grid_a1).due

        before, march_row, may_row = due(), monthly_due(march), monthly_due(may)
        Case.objects.filter(pk=case.pk).update(due_at=moment(dt.date(2025, 5, 12), 18),
                                               updated_at=NOW)
        rollup.refresh(now=NOW + dt.timedelta(minutes=5))
        after = due()
        assert (after["march"], after["may"]) == (before["march"] - 1, before["may"] + 1)
        assert (monthly_due(march), monthly_due(may)) == (march_row - 1, may_row + 1)
        assert_months_equal_their_days()

    def test_rebuild_and_refresh_agree(self, year):
        self.settle()
        rng = random.Random(99)
        cases = list(Case.objects.exclude(state=State.MERGED).order_by("pk"))
        for case in rng.sample(cases, 30):  # deadlines moved, cases reopened, closed, moved
            change = rng.choice(("deadline", "reopen", "close", "grid"))
            if change == "deadline":
                fields = {"due_at": case.due_at + dt.timedelta(days=rng.randrange(-40, 60))}
            elif change == "reopen":
                fields = {"state": State.REGISTERED, "closed_at": None, "closed_on_time": None,
                          "satisfaction": ""}
            elif change == "close":
                fields = {"state": State.CLOSED, "closed_at": case.due_at, "closed_on_time": True,
                          "clock_paused_at": None, "handling_hours": 12.5}
            else:
                grid = rng.choice(year.grids[:3])
                fields = {"grid": grid, "community": grid.community}
            Case.objects.filter(pk=case.pk).update(**fields, updated_at=NOW)
        random_case(year, rng, year.grids, year.departments, year.categories)  # a new one
        rollup.refresh(now=NOW + dt.timedelta(minutes=5))
        assert_months_equal_their_days()
        refreshed = rollup_contents()
        rollup.rebuild(now=NOW + dt.timedelta(minutes=5))
        assert rollup_contents() == refreshed

    def test_rebuild_drops_the_months_no_case_touches_any_more(self, year):
        monthly = rollup.TABLES[0].monthly
        assert monthly.objects.filter(month=dt.date(2024, 11, 1)).exists()
        Case.objects.filter(state=State.MERGED).delete()  # their targets may be among those
        Case.objects.filter(registered_at__lt=moment(dt.date(2024, 12, 1), 0)).delete()
        rollup.rebuild(now=NOW)
        assert not monthly.objects.filter(month=dt.date(2024, 11, 1)).exists()
        assert_months_equal_their_days()


def test_the_migration_sums_the_months_already_counted(year):
    for table in rollup.TABLES:
        if table.monthly is not None:
            table.monthly.objects.all().delete()
    migration = importlib.import_module("gridgov.cases.migrations.0012_monthly_rollups")

    class MovedSince:
        """The models the migration names in cases, where they are now (cases 0014 moved them)."""

        def get_model(self, app_label, name):
            return apps.get_model("indicators", name)

    migration.sum_the_counted_months(MovedSince(), None)
    assert_months_equal_their_days()
    assert rollup.TABLES[0].monthly.objects.exists()
