"""Indicators against hand-computed values (docs/indicators.md), through the rollup (daily and
monthly tables; the monthly path against the daily one: test_rollup_monthly.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gridgov.cases.models import Case, State
from gridgov.cases.tests.factories import CaseFactory, CategoryFactory
from gridgov.grids.tests.factories import GridFactory
from gridgov.indicators import rollup
from gridgov.indicators.figures import Period, Stats, indicator_rows, percentage, stats_for
from gridgov.indicators.models import (
    CaseDailyStat,
    CategoryDailyStat,
    CategoryMonthlyStat,
    DepartmentDailyStat,
    DepartmentMonthlyStat,
    GridDailyStat,
    GridMonthlyStat,
)

MARCH = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
NOW = timezone.make_aware(dt.datetime(2025, 4, 1, 12))


def at(month, day, hour=10):
    return timezone.make_aware(dt.datetime(2025, month, day, hour))


def test_percentage_gives_the_published_check():
    assert percentage(911, 972) == Decimal("93.72")
    assert percentage(737, 972) == Decimal("75.82")
    assert percentage(1, 6) == Decimal("16.67")
    assert percentage(0, 0) is None


@pytest.fixture
def march(world):
    """Ten cases around March 2025 whose indicators are worked out by hand below."""
    w = world
    common = {"category": w.category}

    def case(name, grid, **fields):
        setattr(w, name, CaseFactory(grid=grid, **common, **fields))

    # A: dispatched, handled, closed on time, satisfied.
    case("a", w.grid_a1, state=State.EVALUATED, department=w.enforcement,
         registered_at=at(3, 3), dispatched_at=at(3, 3), handled_at=at(3, 7), due_at=at(3, 10, 18),
         closed_at=at(3, 8), closed_on_time=True, handling_hours=30, satisfaction="satisfied")
    # B: returned once, closed late, unsatisfied.
    case("b", w.grid_a1, state=State.EVALUATED, department=w.enforcement, return_count=1,
         registered_at=at(3, 5), dispatched_at=at(3, 5), handled_at=at(3, 13), due_at=at(3, 12, 18),
         closed_at=at(3, 14), closed_on_time=False, handling_hours=50, satisfaction="unsatisfied")
    # C: reworked, still being handled after its deadline.
    case("c", w.grid_a2, state=State.HANDLING, department=w.market, rework_count=1,
         registered_at=at(3, 6), dispatched_at=at(3, 6), due_at=at(3, 13, 18))
    # D: solved on the spot by grid staff, not rated.
    case("d", w.grid_b1, state=State.CLOSED, is_self_handled=True, registered_at=at(3, 7),
         handled_at=at(3, 7), due_at=at(3, 14, 18), closed_at=at(3, 7), closed_on_time=True,
         handling_hours=0)
    # E: registered in February, due and closed in March, basically satisfied.
    case("e", w.grid_b1, state=State.EVALUATED, department=w.enforcement, registered_at=at(2, 20),
         dispatched_at=at(2, 20), handled_at=at(3, 1), due_at=at(3, 3, 18), closed_at=at(3, 2),
         closed_on_time=True, handling_hours=10, satisfaction="basically")
    # F: rejected — never registered, counts nowhere.
    case("f", w.grid_a1, state=State.REJECTED, reported_at=at(3, 4))
    # G: a duplicate merged into A — counts once, as A.
    case("g", w.grid_a1, state=State.MERGED, merged_into=w.a, department=w.enforcement,
         registered_at=at(3, 4), dispatched_at=at(3, 4), due_at=at(3, 11, 18))
    # H: suspended — registered and dispatched, but its deadline is not final: not due.
    case("h", w.grid_a2, state=State.SUSPENDED, department=w.market, registered_at=at(3, 8),
         dispatched_at=at(3, 8), due_at=at(3, 15, 18), clock_paused_at=at(3, 9))
    # I: registered in March, due in April.
    case("i", w.grid_a1, state=State.DISPATCHED, department=w.enforcement,
         registered_at=at(3, 20), dispatched_at=at(3, 20), due_at=at(4, 3, 18))
    # J: another town's — outside the town leader's scope.
    case("j", w.other_grid, state=State.CLOSED, registered_at=at(3, 3), due_at=at(3, 10, 18),
         closed_at=at(3, 4), closed_on_time=True, handling_hours=5)
    rollup.rebuild(now=NOW)
    return w


def test_town_totals_match_the_hand_computed_values(march):
    [row] = indicator_rows(stats_for(march.leader), MARCH)
    assert row.counts == {
        "registered": 6,       # A B C D H I
        "due": 5,              # A B C D E (H suspended, I due in April, G merged)
        "closed": 4,           # A B D E
        "closed_on_time": 3,   # A D E
        "overdue": 2,          # B closed late, C open past its deadline
        "dispatched": 5,       # A B C H I
        "returned": 1,         # B
        "handled": 4,          # A B D, and C which reached 处置完毕 before its rework
        "reworked": 1,         # C
        "self_handled": 1,     # D
        "rated": 3,            # closed in March and rated: A B E
        "satisfied": 2,        # A satisfied, E basically satisfied
    }
    assert row.rates == {
        "closure_rate": Decimal("80.00"),
        "on_time_rate": Decimal("60.00"),
        "rework_rate": Decimal("25.00"),
        "return_rate": Decimal("20.00"),
        "self_handled_rate": Decimal("16.67"),
        "satisfaction_rate": Decimal("66.67"),
    }
    assert row.average_handling_hours == 22.5  # (30 + 50 + 0 + 10) / 4 closed in March


def test_by_grid_and_by_department(march):
    by_grid = {row.label: row for row in indicator_rows(stats_for(march.leader), MARCH, "grid")}
    assert set(by_grid) == {march.grid_a1.name, march.grid_a2.name, march.grid_b1.name}
    a1, a2, b1 = by_grid[march.grid_a1.name], by_grid[march.grid_a2.name], by_grid[march.grid_b1.name]
    assert (a1.counts["registered"], a1.counts["due"], a1.counts["closed_on_time"]) == (3, 2, 1)
    assert a1.rates["on_time_rate"] == Decimal("50.00")
    assert (a2.counts["registered"], a2.counts["due"], a2.counts["overdue"]) == (2, 1, 1)
    assert a2.rates["closure_rate"] == Decimal("0.00")
    assert (b1.counts["due"], b1.counts["closed"], b1.rates["self_handled_rate"]) == (
        2, 2, Decimal("100.00"))

    by_department = {row.label: row.counts["due"] for row in indicator_rows(
        stats_for(march.leader, "department"), MARCH, "department")}
    assert by_department == {"示例综合行政执法队": 3, "示例市场监管所": 1, "未派遣": 1}


def test_each_page_reads_the_coarsest_table_and_all_agree(march):
    leader = march.leader

    def tables(stats):
        return stats.daily.model, stats.monthly.model if stats.monthly is not None else None

    assert tables(stats_for(leader)) == (GridDailyStat, GridMonthlyStat)
    assert tables(stats_for(leader, "community")) == (GridDailyStat, GridMonthlyStat)
    assert tables(stats_for(leader, "department")) == (DepartmentDailyStat, DepartmentMonthlyStat)
    assert tables(stats_for(leader, "category", community=march.community_a.pk)) == (
        CategoryDailyStat, CategoryMonthlyStat)
    assert tables(stats_for(leader, "grid", category=march.category.pk)) == (CaseDailyStat, None)
    [total] = indicator_rows(stats_for(leader), MARCH)
    everything = [Stats(model.objects.visible_to(leader)) for model in (
        GridDailyStat, CaseDailyStat, DepartmentDailyStat, CategoryDailyStat)]
    everything += [Stats(GridDailyStat.objects.none(), model.objects.visible_to(leader))
                   for model in (GridMonthlyStat, DepartmentMonthlyStat, CategoryMonthlyStat)]
    for stats in everything:
        [same] = indicator_rows(stats, MARCH)
        assert same.counts == total.counts and same.handling_hours == total.handling_hours

    # Another category on the same grid and day: a second fine row, still one row for the grid.
    CaseFactory(grid=march.grid_a1, category=CategoryFactory(), state=State.REGISTERED,
                registered_at=at(3, 3), due_at=at(3, 10, 18))
    rollup.rebuild(now=NOW)
    same_day = {"day": dt.date(2025, 3, 3), "grid": march.grid_a1}
    assert (CaseDailyStat.objects.filter(**same_day).count(),
            GridDailyStat.objects.filter(**same_day).count()) == (2, 1)
    assert GridDailyStat.objects.get(**same_day).registered == 2


def test_a_community_operator_counts_only_that_community(march):
    [row] = indicator_rows(stats_for(march.operator_b), MARCH)
    assert (row.counts["registered"], row.counts["due"], row.counts["closed"]) == (1, 2, 2)


def test_other_roles_and_other_towns_count_nothing_of_this_town(march):
    for user in (march.handler, march.resident):
        stats = stats_for(user)
        assert not stats.daily.exists() and not stats.monthly.exists()
        for period in (MARCH, Period(dt.date(2025, 2, 20), dt.date(2025, 4, 3))):
            [row] = indicator_rows(stats, period)
            assert set(row.counts.values()) == {0}
    [row] = indicator_rows(stats_for(march.other_operator), MARCH)
    assert (row.counts["registered"], row.counts["due"], row.counts["closed"]) == (1, 1, 1)


@pytest.mark.parametrize("period", [
    MARCH,                                                # whole months only
    Period(dt.date(2025, 3, 5), dt.date(2025, 3, 20)),    # days only
    Period(dt.date(2025, 2, 20), dt.date(2025, 3, 31)),   # days, then a month
    Period(dt.date(2024, 12, 9), dt.date(2027, 11, 28)),  # days, 35 months, days
], ids=["month", "days", "days-month", "three-years"])
def test_one_query_per_grouping_however_long_the_period(march, period, django_assert_num_queries):
    for grouping in ("grid", "department", "category"):
        stats = stats_for(march.leader, grouping)
        with django_assert_num_queries(2):  # the sums, the groups' names
            indicator_rows(stats, period, grouping)
    stats = stats_for(march.leader)
    with django_assert_num_queries(1):
        indicator_rows(stats, period)
    with django_assert_num_queries(1):
        indicator_rows(stats, period, "day")


def test_the_published_check_through_the_rollup(world):
    """972 cases due in a month: 737 closed on time, 174 closed late, 61 still open."""
    due = at(3, 16, 18)
    outcomes = ([(State.CLOSED, at(3, 10), True)] * 737 + [(State.CLOSED, at(3, 20), False)] * 174
                + [(State.HANDLING, None, None)] * 61)
    Case.objects.bulk_create([
        CaseFactory.build(grid=world.grid_a1, category=world.category, state=state,
                          registered_at=at(3, 2), due_at=due, closed_at=closed,
                          closed_on_time=on_time)
        for state, closed, on_time in outcomes
    ])
    rollup.rebuild(now=NOW)
    [row] = indicator_rows(stats_for(world.leader), MARCH)
    assert (row.counts["due"], row.counts["closed"], row.counts["closed_on_time"]) == (972, 911, 737)
    assert row.rates["closure_rate"] == Decimal("93.72")
    assert row.rates["on_time_rate"] == Decimal("75.82")
    assert row.counts["overdue"] == 174 + 61


class TestRefresh:
    @staticmethod
    def settle():
        """Every case last written before the rollup's last refresh (NOW)."""
        Case.objects.update(updated_at=at(3, 31))

    def test_a_moved_deadline_leaves_its_old_day(self, march):
        self.settle()
        Case.objects.filter(pk=march.a.pk).update(due_at=at(4, 10, 18), updated_at=NOW)
        rollup.refresh(now=NOW + dt.timedelta(minutes=5))
        [row] = indicator_rows(stats_for(march.leader), MARCH)
        assert (row.counts["due"], row.counts["closed"], row.counts["closed_on_time"]) == (4, 3, 2)

    def test_a_reopened_case_is_no_longer_closed_on_its_old_day(self, march):
        self.settle()
        Case.objects.filter(pk=march.a.pk).update(
            state=State.REGISTERED, closed_at=None, closed_on_time=None, satisfaction="",
            updated_at=NOW)
        rollup.refresh(now=NOW + dt.timedelta(minutes=5))
        [row] = indicator_rows(stats_for(march.leader), MARCH)
        assert (row.counts["closed"], row.counts["rated"], row.average_handling_hours) == (
            3, 2, 20.0)

    def test_a_deadline_passing_makes_an_open_case_overdue_without_any_write(self, world):
        CaseFactory(grid=world.grid_a1, category=world.category, state=State.HANDLING,
                    registered_at=at(3, 3), due_at=at(3, 10, 18))
        rollup.rebuild(now=at(3, 10, 12))
        Case.objects.update(updated_at=at(3, 1))
        assert CaseDailyStat.objects.get(day=dt.date(2025, 3, 10)).overdue == 0
        rollup.refresh(now=at(3, 11, 9))
        assert CaseDailyStat.objects.get(day=dt.date(2025, 3, 10)).overdue == 1

    def test_twice_in_a_row_changes_nothing(self, march):
        before = list(CaseDailyStat.objects.order_by("day", "grid_id", "department_id")
                      .values_list("day", "grid_id", "department_id", "registered", "due", "closed"))
        rollup.refresh(now=NOW)
        rollup.refresh(now=NOW)
        after = list(CaseDailyStat.objects.order_by("day", "grid_id", "department_id")
                     .values_list("day", "grid_id", "department_id", "registered", "due", "closed"))
        assert after == before

    def test_the_first_refresh_rebuilds_and_new_cases_arrive(self, world):
        assert rollup.refreshed_through() is None
        rollup.refresh(now=NOW)
        assert rollup.refreshed_through() == NOW
        CaseFactory(grid=GridFactory(community=world.community_a), category=world.category,
                    state=State.REGISTERED, registered_at=at(3, 30), due_at=at(4, 7, 18))
        rollup.refresh(now=NOW + dt.timedelta(minutes=3))
        [row] = indicator_rows(stats_for(world.leader), MARCH)
        assert row.counts["registered"] == 1


def test_the_commands_keep_the_rollup(world):
    from io import StringIO

    from django.core.management import call_command

    case = world.walk(world.report(), State.REGISTERED)
    out = StringIO()
    call_command("cases_rollup", "--rebuild", stdout=out)
    assert "days recounted" in out.getvalue()
    today = Period(timezone.localdate(), timezone.localdate())
    assert indicator_rows(stats_for(world.leader), today)[0].counts["registered"] == 1

    world.walk(world.report(), State.REGISTERED)
    call_command("tick", "--only", "indicators.rollup_refresh", stdout=StringIO())  # every minute
    assert indicator_rows(stats_for(world.leader), today)[0].counts["registered"] == 2
    assert case.registered_at is not None


def test_two_refreshes_at_once_leave_each_day_counted_once(live_db):
    from gridgov.cases.tests.factories import CaseWorld
    from gridgov.core.tests.concurrency import race

    world = CaseWorld.build()
    for day in (3, 4, 5):
        CaseFactory(grid=world.grid_a1, category=world.category, state=State.CLOSED,
                    registered_at=at(3, day), due_at=at(3, day + 5, 18), closed_at=at(3, day + 1),
                    closed_on_time=True, handling_hours=4)
    rollup.rebuild(now=NOW)
    Case.objects.update(updated_at=NOW)
    outcomes = race(lambda: rollup.refresh(now=NOW + dt.timedelta(minutes=1)),
                    lambda: rollup.refresh(now=NOW + dt.timedelta(minutes=1)))
    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    [row] = indicator_rows(stats_for(world.leader), MARCH)
    assert (row.counts["registered"], row.counts["due"], row.counts["closed"]) == (3, 3, 3)
    assert CaseDailyStat.objects.filter(day=dt.date(2025, 3, 3)).count() == 1
