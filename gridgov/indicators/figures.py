"""Evaluation indicators of case handling (GB/T 30428) by grid, community, department, category
and day, over a period of whole days. The formulas — numerators, denominators, timestamps, how
merged, rejected and suspended cases count — are written out in docs/indicators.md; keep the two
in step.

The counts come from the rollup (gridgov.indicators.rollup): each grouping is one SQL query summing
the rollup rows of the period within the reader's scope, however many cases lie behind them — the
whole calendar months of the period from a monthly table, the days left at either end from a
daily one, so that a long period costs rows per month rather than per day.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import IntegerField, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Role
from gridgov.cases.models import Category
from gridgov.core.errors import Refusal
from gridgov.grids.models import Community, Department, Grid
from gridgov.indicators import rollup

# Who reads indicators: the town's leaders, its operations centre and administrators.
INDICATOR_ROLES = frozenset({Role.LEADER, Role.OPERATOR, Role.ADMIN})
MAX_PERIOD_DAYS = 366 * 3
# The period shown when none is asked for: the last 30 days, today included.
DEFAULT_DAYS = 30

# grouping -> (label, rollup column, the model its keys name, the label of no key)
GROUPINGS = {
    "total": (_("合计"), None, None, ""),
    "grid": (_("网格"), "grid_id", Grid, _("未落入网格")),
    "community": (_("居民区"), "community_id", Community, _("未落入居民区")),
    "department": (_("处置部门"), "department_id", Department, _("未派遣")),
    "category": (_("事部件分类"), "category_id", Category, ""),
    "day": (_("日期"), "day", None, ""),
}

# The counts of a group, in the order of the export's columns.
COUNT_LABELS = {
    "registered": _("立案数"),
    "due": _("应结案数"),
    "closed": _("结案数"),
    "closed_on_time": _("按期结案数"),
    "overdue": _("超期数"),
    "dispatched": _("派遣数"),
    "returned": _("退单数"),
    "handled": _("处置完毕数"),
    "reworked": _("返工数"),
    "self_handled": _("自行处置数"),
    "rated": _("参评数"),
    "satisfied": _("满意数"),
}
# rate -> (label, numerator, denominator)
RATES = {
    "closure_rate": (_("结案率"), "closed", "due"),
    "on_time_rate": (_("按期结案率"), "closed_on_time", "due"),
    "rework_rate": (_("返工率"), "reworked", "handled"),
    "return_rate": (_("退单率"), "returned", "dispatched"),
    "self_handled_rate": (_("自行处置率"), "self_handled", "registered"),
    "satisfaction_rate": (_("满意率"), "satisfied", "rated"),
}
AVERAGE_HOURS_LABEL = _("平均处置用时（工作小时）")


def percentage(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator in per cent, two decimals, rounded half up; None without a
    denominator (shown as "—", never as 0 %)."""
    if not denominator:
        return None
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    """Whole local days, both ends included."""

    start: dt.date
    end: dt.date

    @classmethod
    def month_to_date(cls, today: dt.date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(today.replace(day=1), today)

    @classmethod
    def last_days(cls, days: int, end: dt.date | None = None) -> "Period":
        """The `days` days ending on `end` (today by default), both included."""
        end = end or timezone.localdate()
        return cls(end - dt.timedelta(days=days - 1), end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def of(cls, start: dt.date | None, end: dt.date | None) -> "Period":
        """The period asked for; by default the last DEFAULT_DAYS days to the end asked for (or
        today), so that the first days of a month still show a month of work. A Refusal when
        unusable."""
        end = end or timezone.localdate()
        period = cls(start or cls.last_days(DEFAULT_DAYS, end).start, end)
        if period.start > period.end:
            raise Refusal("bad_period", _("开始日期不能晚于结束日期"), "start")
        if period.days > MAX_PERIOD_DAYS:
            raise Refusal("bad_period", _("统计期间不能超过三年"), "end")
        return period

    def split(self) -> tuple["Period | None", list["Period"]]:
        """The whole calendar months inside the period (from the first day of the first to the
        last day of the last; None when there is none), and the runs of days left before and
        after them (none, one or two)."""
        first = self.start if self.start.day == 1 else rollup.next_month(self.start)
        after_last = rollup.next_month(self.end)
        if self.end != after_last - dt.timedelta(days=1):  # the end's month is not whole
            after_last = self.end.replace(day=1)
        if first >= after_last:
            return None, [self]
        months = Period(first, after_last - dt.timedelta(days=1))
        ends = [Period(self.start, first - dt.timedelta(days=1)) if self.start < first else None,
                Period(after_last, self.end) if after_last <= self.end else None]
        return months, [days for days in ends if days is not None]


@dataclass
class IndicatorRow:
    key: object
    label: str
    counts: dict[str, int]
    handling_hours: float = 0.0
    timed: int = 0
    rates: dict[str, Decimal | None] = field(init=False)

    def __post_init__(self):
        self.rates = {name: percentage(self.counts[num], self.counts[den])
                      for name, (_label, num, den) in RATES.items()}

    @property
    def average_handling_hours(self) -> float | None:
        return round(self.handling_hours / self.timed, 2) if self.timed else None


@dataclass(frozen=True)
class Stats:
    """The rollup rows a reader may add up for one grouping and its filters: from a daily table
    and, when one is kept by the same columns, from its monthly table (None: days only)."""

    daily: QuerySet
    monthly: QuerySet | None = None


def stats_for(user, grouping: str = "total", **filters) -> Stats:
    """The rollup rows a leader, operator or administrator may add up, for this grouping and
    these filters (grid, community, department, category ids): from the coarsest tables that are
    kept by what they name (gridgov.indicators.rollup.table_for)."""
    wanted = {f"{name}_id" for name, value in filters.items() if value is not None}
    column = GROUPINGS[grouping][1]
    if column not in (None, "day"):
        wanted.add(column)
    table = rollup.table_for(wanted)

    def visible(model):
        return filter_stats(model.objects.visible_to(user, roles=INDICATOR_ROLES), **filters)

    return Stats(visible(table.daily), visible(table.monthly) if table.monthly else None)


FILTERS = ("grid", "community", "department", "category")


def filter_stats(stats, **ids):
    """Only the rollup rows of the given grid, community, department or category ids."""
    return stats.filter(**{f"{name}_id": value for name, value in ids.items()
                           if name in FILTERS and value is not None})


SUMS = (*COUNT_LABELS, "handling_hours", "timed")


def indicator_rows(stats: Stats, period: Period, grouping: str = "total") -> list[IndicatorRow]:
    """Counts and rates per group over the period: one query, plus one for the groups' names.

    The query sums, per group, the monthly rows of the period's whole months and the daily rows
    of the days left at either end, each part an index range read, joined by UNION ALL; the parts
    of a group (at most three rows) are added up here. By day, or without a monthly table, it
    sums the daily rows of the whole period."""
    _label, column, model, unnamed = GROUPINGS[grouping]
    months, days = period.split()
    if grouping == "day" or stats.monthly is None or months is None:
        months, days = None, [period]
    parts = [_sums(stats.daily.filter(day__gte=run.start, day__lte=run.end), column)
             for run in days]
    if months is not None:
        parts.append(_sums(stats.monthly.filter(month__gte=months.start, month__lte=months.end),
                           column))
    found = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    if column is not None:
        found = found.order_by(column)
    results: dict = {}  # key -> sums, in the order the database sorted the keys
    for part in found:
        key = part[column] if column is not None else None
        total = results.setdefault(key, dict.fromkeys(SUMS, 0))
        for name in SUMS:
            total[name] += part[f"n_{name}"] or 0
    if column is None and not results:
        results[None] = dict.fromkeys(SUMS, 0)
    names = _names(model, results) if model else {}
    return [
        IndicatorRow(
            key=key,
            label=_row_label(grouping, key, names, unnamed),
            counts={name: sums[name] for name in COUNT_LABELS},
            handling_hours=float(sums["handling_hours"]),
            timed=sums["timed"],
        )
        for key, sums in results.items()
    ]


def _sums(stats, column: str | None):
    """The sums of these rollup rows per value of `column`, or in one row (a constant in its
    place, so that every part of a UNION has the same columns)."""
    sums = {f"n_{name}": Sum(name) for name in SUMS}  # n_: a sum may not share a field's name
    grouped = (stats.values(column) if column is not None
               else stats.values(group=Value(0, output_field=IntegerField())))
    return grouped.annotate(**sums).order_by()


def _names(model, keys) -> dict:
    objects = model.objects.in_bulk([key for key in keys if key is not None])
    return {key: str(obj) for key, obj in objects.items()}


def _row_label(grouping: str, key, names: dict, unnamed) -> str:
    if grouping == "total":
        return str(GROUPINGS["total"][0])
    if grouping == "day":
        return key.isoformat()
    return names.get(key, str(unnamed)) if key is not None else str(unnamed)


# The month's key figures on a leader's home page, in this order; the dashboard shows them all.
KEY_COUNTS = ("registered", "due", "closed", "overdue")
KEY_RATES = ("on_time_rate", "satisfaction_rate")


def shown_rate(value: Decimal | None) -> str:
    """A rate as the pages write it: "95.5%", or "—" without a denominator (never 0 %)."""
    return "—" if value is None else f"{value.normalize():f}%"


def key_figures(user, period: Period) -> tuple[tuple[str, str], ...]:
    """The key counts and rates of the period within the reader's scope, as (label, shown)."""
    [total] = indicator_rows(stats_for(user, "total"), period, "total")
    return (*((str(COUNT_LABELS[name]), f"{total.counts[name]:,}") for name in KEY_COUNTS),
            *((str(RATES[name][0]), shown_rate(total.rates[name])) for name in KEY_RATES))
