"""The indicators rollup: the counts the indicators add up (gridgov.indicators.figures; formulas in
docs/indicators.md), kept per town and community in daily and monthly tables (TABLES):
- CaseDailyStat, also per grid, handling department and category: any grouping or filter;
- GridDailyStat, DepartmentDailyStat, CategoryDailyStat: the same summed per grid, per
  department, per category — a page by one of those reads at most one row per group and day,
  however many cases;
- GridMonthlyStat, DepartmentMonthlyStat, CategoryMonthlyStat: those three summed per calendar
  month. A period reads its whole months from them and only the days left at either end from the
  daily tables: a year costs about twelve rows per group instead of 365.

Why: a leader's page adds up a period of a town or a city. Counting the case rows themselves
means one pass over every case of the scope with a dozen conditions each (seconds at a million
cases); summing daily rows still means millions of rows for a city's year by department.

Each count sits on the day of its own timestamp, so that any period is a sum of whole days (and
whole months):
- registered_at: registered, dispatched, returned, handled, reworked, self_handled;
- due_at: due, closed, closed_on_time, overdue (cases whose deadline falls on the day);
- closed_at: rated, satisfied, timed and handling_hours (cases closed on the day).
Merged duplicates are left out (Case.objects.counted()).

Keeping it true:
- refresh() (every minute, a task of `gridgov tick`) recounts whole days: those of the cases changed
  since the last refresh (their registration, deadline and closing day now, and the days they
  were counted on before, kept in CaseStatMark: an extension moves a deadline, a reopening
  clears a closing), and every day since the last refresh, because a deadline passing makes an
  open case overdue without any write to its row.
- rebuild() (nightly, a task of `gridgov tick`; `gridgov cases_rollup --rebuild`) recounts everything.
Days are counted from the cases, one by one, each replaced in its own short transaction under the
RollupState row's lock: two runs at once take turns, and writers of cases wait a fraction of a
second. A month is never counted from the cases: right after the last of its days a run recounts,
it is summed again from its daily rows, in its own transaction under the same lock
(_recount_each says why not in each day's). So a month always equals its days once a run is
through with it.
"""

import datetime as dt
from collections import defaultdict
from itertools import groupby
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from gridgov.cases.models import FINISHED_STATES, Case, Satisfaction
from gridgov.indicators.models import (
    CaseDailyStat,
    CaseStatMark,
    CategoryDailyStat,
    CategoryMonthlyStat,
    DepartmentDailyStat,
    DepartmentMonthlyStat,
    GridDailyStat,
    GridMonthlyStat,
    RollupState,
)
from gridgov.grids.models import Town

# A case saved just before the last refresh may have committed just after it: read a little
# further back than the last refresh.
OVERLAP = dt.timedelta(minutes=10)
SCOPE = ("town_id", "community_id")
DIMENSIONS = (*SCOPE, "grid_id", "department_id", "category_id")


class Table(NamedTuple):
    """A grouping of the rollup: the columns it is kept by besides the day (or month) and the
    scope, its daily table, and the monthly table summing that one per month (None: none kept)."""

    kept_by: tuple[str, ...]
    daily: type
    monthly: type | None


# The coarser groupings first, the finest (any grouping, any filter) last: table_for() gives the
# first that holds what a page asks for. The finest has no monthly table: nearly every one of its
# rows is a combination of its own, so a month would hold almost as many rows as its days.
TABLES = (
    Table(("grid_id",), GridDailyStat, GridMonthlyStat),
    Table(("department_id",), DepartmentDailyStat, DepartmentMonthlyStat),
    Table(("category_id",), CategoryDailyStat, CategoryMonthlyStat),
    Table(("grid_id", "department_id", "category_id"), CaseDailyStat, None),
)


def table_for(columns) -> Table:
    """The coarsest grouping kept by every one of `columns` (rollup column names; the scope
    columns are in every table)."""
    wanted = set(columns) - set(SCOPE)
    return next(table for table in TABLES if wanted <= set(table.kept_by))


TIMESTAMPS = ("registered_at", "due_at", "closed_at")
BATCH = 2000


def cohorts(now: dt.datetime) -> dict[str, tuple[Q, dict]]:
    """timestamp -> (which cases with that timestamp on the day count, {count: aggregate}).

    `now` decides which open cases are overdue. Conditions on the state stay inside the
    aggregates where they can, so that the (town, timestamp) index alone picks the rows."""
    finished = Q(state__in=FINISHED_STATES)
    return {
        "registered_at": (Q(), {
            "registered": Count("pk"),
            "dispatched": Count("pk", filter=Q(dispatched_at__isnull=False)),
            "returned": Count("pk", filter=Q(return_count__gt=0)),
            # Reached 处置完毕 at least once (a rework clears handled_at until handled again).
            "handled": Count("pk", filter=Q(handled_at__isnull=False) | Q(rework_count__gt=0)),
            "reworked": Count("pk", filter=Q(rework_count__gt=0)),
            "self_handled": Count("pk", filter=Q(is_self_handled=True)),
        }),
        # While the clock stands still (suspended, awaiting an extension decision) the deadline
        # is not final: the case is not due on any day.
        "due_at": (Q(registered_at__isnull=False, clock_paused_at__isnull=True), {
            "due": Count("pk"),
            "closed": Count("pk", filter=finished),
            "closed_on_time": Count("pk", filter=finished & Q(closed_on_time=True)),
            # Closed after its deadline, or still open with its deadline passed.
            "overdue": Count("pk", filter=~Q(closed_on_time=True) & (
                finished | Case.overdue_condition(now))),
        }),
        # A reopening clears closed_at, so only closed cases have one; the state is checked
        # all the same.
        "closed_at": (Q(), {
            "rated": Count("pk", filter=finished & ~Q(satisfaction="")),
            "satisfied": Count("pk", filter=finished & Q(
                satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASICALLY))),
            "timed": Count("handling_hours", filter=finished),
            "handling_hours": Sum("handling_hours", filter=finished),
        }),
    }


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _count(day: dt.date, now: dt.datetime) -> dict[tuple, dict]:
    """Fresh counts of a day, by (day, *DIMENSIONS).

    One query per cohort, each an index range on (town, timestamp): grouping by the local day in
    SQL would call a function per row (SQLite), slower than a query per day."""
    # Every town listed: the (town, timestamp) indexes then serve the day's range.
    towns = list(Town.objects.values_list("pk", flat=True))
    names = [name for _members, counts in cohorts(now).values() for name in counts]
    rows: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(names, 0))
    start, end = _start_of(day), _start_of(day + dt.timedelta(days=1))
    for timestamp, (members, counts) in cohorts(now).items():
        found = (Case.objects.counted()
                 .filter(members, town_id__in=towns,
                         **{f"{timestamp}__gte": start, f"{timestamp}__lt": end})
                 .order_by().values(*DIMENSIONS)
                 .annotate(**{f"n_{name}": value for name, value in counts.items()}))
        for found_row in found:
            key = (day, *(found_row[name] for name in DIMENSIONS))
            rows[key].update({name: found_row[f"n_{name}"] or 0 for name in counts})
    return rows


def _summed(rows: dict[tuple, dict], columns: tuple[str, ...]) -> dict[tuple, dict]:
    """The finest rows added up by (day, *columns)."""
    positions = [1 + DIMENSIONS.index(column) for column in columns]
    summed: dict[tuple, dict] = {}
    for key, counts in rows.items():
        target = summed.setdefault((key[0], *(key[i] for i in positions)), dict.fromkeys(counts, 0))
        for name, value in counts.items():
            target[name] += value
    return summed


def _replace(day: dt.date, rows: dict[tuple, dict]) -> None:
    for table in TABLES:
        model, columns = table.daily, (*SCOPE, *table.kept_by)
        model.objects.filter(day=day).delete()
        model.objects.bulk_create(
            (model(day=key[0], **dict(zip(columns, key[1:])), **counts)
             for key, counts in _summed(rows, columns).items()),
            batch_size=BATCH,
        )


def _month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after day's."""
    return (_month_of(day) + dt.timedelta(days=31)).replace(day=1)


def _last_day_of(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def months_between(first: dt.date, last: dt.date):
    """The first day of each month from first's to last's."""
    month = _month_of(first)
    while month <= last:
        yield month
        month = next_month(month)


def replace_month(month: dt.date, tables=TABLES) -> None:
    """Each monthly table's rows of the month, summed again from its daily table's rows of the
    month's days: one INSERT … SELECT … GROUP BY per table, in the database, since a month of a
    city by department is tens of thousands of daily rows. `tables`: the migration that creates
    the monthly tables passes its historical models, hence the counts read from the model."""
    quote = connection.ops.quote_name
    first, last = (connection.ops.adapt_datefield_value(day)
                   for day in (month, _last_day_of(month)))
    with connection.cursor() as cursor:
        for table in tables:
            if table.monthly is None:
                continue
            table.monthly.objects.filter(month=month).delete()
            keys = ", ".join(quote(column) for column in (*SCOPE, *table.kept_by))
            names = [field.column for field in table.monthly._meta.concrete_fields
                     if not field.is_relation and field.name not in ("id", "month")]
            counts = ", ".join(quote(name) for name in names)
            sums = ", ".join(f"SUM({quote(name)})" for name in names)
            cursor.execute(
                f"INSERT INTO {quote(table.monthly._meta.db_table)} ({quote('month')}, {keys}, "  # nosec B608  # names from the models' meta, quoted
                f"{counts}) SELECT %s, {keys}, {sums} FROM {quote(table.daily._meta.db_table)} "
                f"WHERE {quote('day')} >= %s AND {quote('day')} <= %s GROUP BY {keys}",
                [first, first, last],
            )


def _each_day(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def _locked_state() -> RollupState:
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def refresh(now: dt.datetime | None = None) -> int:
    """Recount the days touched since the last refresh; the number of days recounted. The first
    run rebuilds.

    The changes are read without a lock, the days recounted one by one, and the marks and the
    refresh point written last: a run that dies half-way leaves the next one the same work,
    never a gap."""
    now = now or timezone.now()
    since = refreshed_through()
    if since is None:
        return rebuild(now)
    changed = list(Case.objects.filter(updated_at__gte=since - OVERLAP)
                   .values_list("pk", *TIMESTAMPS))
    marks = CaseStatMark.objects.in_bulk([row[0] for row in changed])
    days = set(_each_day(_day(since), _day(now)))
    for pk, *moments in changed:
        mark = marks.get(pk)
        before = [getattr(mark, name) for name in TIMESTAMPS] if mark else []
        days.update(_day(moment) for moment in (*moments, *before) if moment is not None)
    _recount_each(days, now)
    with transaction.atomic():
        state = _locked_state()
        CaseStatMark.objects.bulk_create(
            [CaseStatMark(case_id=pk, **dict(zip(TIMESTAMPS, moments)))
             for pk, *moments in changed],
            batch_size=BATCH, update_conflicts=True, unique_fields=["case"],
            update_fields=list(TIMESTAMPS),
        )
        state.refreshed_through = max(state.refreshed_through or now, now)
        state.save(update_fields=["refreshed_through"])
    return len(days)


def _recount_each(days, now: dt.datetime) -> None:
    """Day by day: counted without a lock (the slow part), then replaced in a short transaction
    under the rollup's lock, so that two runs never replace the same day at once (on PostgreSQL
    both would delete, then both insert) and writers of cases wait a fraction of a second. A run
    that counted a day before a change and writes it after another run's later count leaves the
    day a little behind; the changed case is read again by the next refresh (OVERLAP) and the
    day recounted.

    Each month is summed again from its days right after the last of them, in a transaction of
    its own under the same lock, rather than in each day's transaction: a refresh recounts a
    dozen days of the same month or two and a rebuild every day of every month, so month by day
    would sum the same month up to 31 times, each time holding the lock (on SQLite, the write
    lock every writer of cases waits for). Meanwhile a page reads the month as it was before the
    run reached its days: behind by a few seconds, like the rollup itself is behind the cases.
    Under the lock the month reads every day as the last run left it, and every run that writes
    a day of a month sums that month afterwards: when runs are through, months equal their days.
    A run that dies between a day and its month leaves the month behind its days: a refresh
    leaves the next one the same days, hence their months; a rebuild, the next rebuild."""
    for month, days_of_month in groupby(sorted(days), key=_month_of):
        for day in days_of_month:
            counted = _count(day, now)
            with transaction.atomic():
                _locked_state()
                _replace(day, counted)
        with transaction.atomic():
            _locked_state()
            replace_month(month)


def rebuild(now: dt.datetime | None = None) -> int:
    """Recount every day that has cases, and every month from its days; the number of days
    recounted.

    The marks are taken first and the refresh point is set to the start: whatever changes
    meanwhile, the next refresh recounts. Rows of days and months outside the cases' span are
    deleted first: no case counts there any more, and the months at either end of the span are
    then summed from their remaining days."""
    now = now or timezone.now()
    with transaction.atomic():
        _locked_state()
        CaseStatMark.objects.all().delete()
        _copy_marks()
        bounds = Case.objects.aggregate(**{f"first_{t}": Min(t) for t in TIMESTAMPS},
                                        **{f"last_{t}": Max(t) for t in TIMESTAMPS})
        firsts = [_day(bounds[f"first_{t}"]) for t in TIMESTAMPS if bounds[f"first_{t}"]]
        lasts = [_day(bounds[f"last_{t}"]) for t in TIMESTAMPS if bounds[f"last_{t}"]]
        days = list(_each_day(min(firsts), max(lasts))) if firsts else []
        _delete_outside(days)
    _recount_each(days, now)
    with transaction.atomic():
        state = _locked_state()
        state.refreshed_through = state.rebuilt_at = now
        state.save(update_fields=["refreshed_through", "rebuilt_at"])
    return len(days)


def _delete_outside(days: list[dt.date]) -> None:
    """The daily and monthly rows outside the span of `days` (all of them when it is empty): no
    case counts there any more."""
    for table in TABLES:
        # (table, its date column, the value of that column for a day)
        grains = ((table.daily, "day", lambda day: day), (table.monthly, "month", _month_of))
        for model, column, grain_of in grains:
            if model is None:
                continue
            stale = model.objects.all()
            if days:
                stale = stale.exclude(**{f"{column}__gte": grain_of(days[0]),
                                         f"{column}__lte": grain_of(days[-1])})
            stale.delete()


def _copy_marks() -> None:
    """Every case's timestamps into CaseStatMark in one statement (a million rows in seconds)."""
    quote = connection.ops.quote_name
    mark, case = CaseStatMark._meta.db_table, Case._meta.db_table
    columns = ", ".join(quote(name) for name in TIMESTAMPS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(mark)} ({quote('case_id')}, {columns}) "  # nosec B608  # names from the models' meta, quoted
            f"SELECT {quote('id')}, {columns} FROM {quote(case)}"
        )


def refreshed_through() -> dt.datetime | None:
    return RollupState.objects.filter(pk=1).values_list("refreshed_through", flat=True).first()
