"""Evaluation indicators of case handling (GB/T 30428) by grid, community, department, category
and day, over a period of whole days. The formulas — numerators, denominators, timestamps, how
merged, rejected and suspended cases count — are written out in docs/indicators.md; keep the two
in step.

The counts come from the daily rollup (gridgov.cases.rollup): each grouping is one SQL query
summing the rollup rows of the period within the reader's scope, however many cases lie behind
them.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Role
from gridgov.cases import rollup
from gridgov.cases.models import Category
from gridgov.core.scope import roles_of
from gridgov.grids.models import Community, Department, Grid

# Who reads indicators: the town's leaders, its operations centre and administrators.
INDICATOR_ROLES = frozenset({Role.LEADER, Role.OPERATOR, Role.ADMIN})
MAX_PERIOD_DAYS = 366 * 3

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

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def of(cls, start: dt.date | None, end: dt.date | None) -> "Period":
        """The period asked for, this month to date by default; PeriodError when unusable."""
        default = cls.month_to_date()
        period = cls(start or default.start, end or default.end)
        if period.start > period.end:
            raise PeriodError("start", _("开始日期不能晚于结束日期"))
        if period.days > MAX_PERIOD_DAYS:
            raise PeriodError("end", _("统计期间不能超过三年"))
        return period


class PeriodError(ValueError):
    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field, self.message = field, str(message)


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


def may_read(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or roles_of(user) & INDICATOR_ROLES)


def stats_for(user, grouping: str = "total", **filters):
    """The rollup rows a leader, operator or administrator may add up, for this grouping and
    these filters (grid, community, department, category ids): from the coarsest table that is
    kept by what they name (gridgov.cases.rollup.TABLES)."""
    wanted = {f"{name}_id" for name, value in filters.items() if value is not None}
    column = GROUPINGS[grouping][1]
    if column not in (None, "day"):
        wanted.add(column)
    wanted -= set(rollup.SCOPE)
    model = next(model for model, kept_by in rollup.TABLES if wanted <= set(kept_by))
    return filter_stats(model.objects.visible_to(user, roles=INDICATOR_ROLES), **filters)


FILTERS = ("grid", "community", "department", "category")


def filter_stats(stats, **ids):
    """Only the rollup rows of the given grid, community, department or category ids."""
    return stats.filter(**{f"{name}_id": value for name, value in ids.items()
                           if name in FILTERS and value is not None})


def indicator_rows(stats, period: Period, grouping: str = "total") -> list[IndicatorRow]:
    """Counts and rates per group over the period: one query, plus one for the groups' names."""
    _label, column, model, unnamed = GROUPINGS[grouping]
    sums = {f"n_{name}": Sum(name) for name in COUNT_LABELS}  # n_: a sum may not share a
    sums.update(n_handling_hours=Sum("handling_hours"), n_timed=Sum("timed"))  # field's name
    stats = stats.filter(day__gte=period.start, day__lte=period.end).order_by()
    if column is None:
        results, keys = [stats.aggregate(**sums)], [None]
    else:
        results = list(stats.values(column).annotate(**sums).order_by(column))
        keys = [result[column] for result in results]
    names = _names(model, keys) if model else {}
    return [
        IndicatorRow(
            key=key,
            label=_row_label(grouping, key, names, unnamed),
            counts={name: result[f"n_{name}"] or 0 for name in COUNT_LABELS},
            handling_hours=result["n_handling_hours"] or 0.0,
            timed=result["n_timed"] or 0,
        )
        for key, result in zip(keys, results)
    ]


def _names(model, keys) -> dict:
    objects = model.objects.in_bulk([key for key in keys if key is not None])
    return {key: str(obj) for key, obj in objects.items()}


def _row_label(grouping: str, key, names: dict, unnamed) -> str:
    if grouping == "total":
        return str(GROUPINGS["total"][0])
    if grouping == "day":
        return key.isoformat()
    return names.get(key, str(unnamed)) if key is not None else str(unnamed)
