"""The indicators rollup's tables: counts of cases per town, community and day (and month),
kept by gridgov.indicators.rollup and summed by gridgov.indicators.figures.

They were models of the cases app until indicators became an app of its own: their tables were
renamed from cases_* to indicators_* (cases migration 0014), their rows kept.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.cases.models import Case, Category
from gridgov.core.scope import ScopedQuerySet, ScopeKind
from gridgov.grids.models import Community, Department, Grid, Town


class DailyStatQuerySet(ScopedQuerySet):
    """Rollup rows (daily and monthly) are read by leaders, operators and administrators: town or
    community scopes."""

    scope_rules = {
        ScopeKind.TOWN: lambda ids: Q(town_id__in=ids),
        ScopeKind.COMMUNITY: lambda ids: Q(community_id__in=ids),
    }


class RollupCounts(models.Model):
    """The counts the indicators add up for a town and community, kept by gridgov.indicators.rollup.
    Each count is kept on the day of its own timestamp: registered on the registration day, due
    on the deadline day, rated on the closing day (formulas: docs/indicators.md). DailyCounts
    keeps them per day, MonthlyCounts per calendar month; each concrete table adds the columns it
    is kept by."""

    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="+", db_index=False)
    community = models.ForeignKey(Community, null=True, on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    # registered on this day
    registered = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    handled = models.PositiveIntegerField(default=0)
    reworked = models.PositiveIntegerField(default=0)
    self_handled = models.PositiveIntegerField(default=0)
    # due on this day
    due = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    # closed on this day
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    timed = models.PositiveIntegerField(default=0)
    handling_hours = models.FloatField(default=0)

    objects = DailyStatQuerySet.as_manager()

    class Meta:
        abstract = True


class DailyCounts(RollupCounts):
    """The counts of one day: counted from the cases."""

    day = models.DateField()

    class Meta:
        abstract = True


class MonthlyCounts(RollupCounts):
    """The counts of one calendar month: the sum of its days in the daily table kept by the same
    columns, recomputed from them whenever one of those days is (gridgov.indicators.rollup)."""

    month = models.DateField()  # its first day

    class Meta:
        abstract = True


def _grid_column():
    return models.ForeignKey(Grid, null=True, on_delete=models.CASCADE, related_name="+",
                             db_index=False)


def _department_column():
    return models.ForeignKey(Department, null=True, on_delete=models.CASCADE, related_name="+",
                             db_index=False)


def _category_column():
    return models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+",
                             db_index=False)


def _rollup_indexes(prefix: str) -> list:
    # A refresh replaces whole days; the page reads a period within a town or community.
    return [
        models.Index(fields=["day"], name=f"{prefix}_day"),
        models.Index(fields=["town", "day"], name=f"{prefix}_town_day"),
        models.Index(fields=["community", "day"], name=f"{prefix}_community_day"),
    ]


def _monthly_indexes(prefix: str) -> list:
    # A refresh replaces whole months; the page reads a run of months within a town or community.
    return [
        models.Index(fields=["month"], name=f"{prefix}_monthly_month"),
        models.Index(fields=["town", "month"], name=f"{prefix}_monthly_town"),
        models.Index(fields=["community", "month"], name=f"{prefix}_monthly_community"),
    ]


class CaseDailyStat(DailyCounts):
    """The rollup at its finest: per day, grid, handling department and category. Any grouping
    and filter can be summed from it; the coarser tables below answer most pages faster."""

    grid = _grid_column()
    department = _department_column()
    category = _category_column()

    class Meta:
        verbose_name = _("事件日统计")
        verbose_name_plural = _("事件日统计")
        # Named as Django named them when the table belonged to cases (0005 there): the rename
        # into this app kept the indexes.
        indexes = [
            models.Index(fields=["day"], name="cases_cased_day_ed806c_idx"),
            models.Index(fields=["town", "day"], name="cases_cased_town_id_c99465_idx"),
            models.Index(fields=["community", "day"], name="cases_cased_communi_6b5362_idx"),
        ]


class GridDailyStat(DailyCounts):
    """Summed per grid and day: totals and the pages by grid, community or day."""

    grid = _grid_column()

    class Meta:
        verbose_name = _("网格日统计")
        verbose_name_plural = _("网格日统计")
        indexes = _rollup_indexes("grid_daily")


class DepartmentDailyStat(DailyCounts):
    """Summed per handling department, community and day: the pages by department."""

    department = _department_column()

    class Meta:
        verbose_name = _("部门日统计")
        verbose_name_plural = _("部门日统计")
        indexes = _rollup_indexes("department_daily")


class CategoryDailyStat(DailyCounts):
    """Summed per category, community and day: the pages by category."""

    category = _category_column()

    class Meta:
        verbose_name = _("分类日统计")
        verbose_name_plural = _("分类日统计")
        indexes = _rollup_indexes("category_daily")


class GridMonthlyStat(MonthlyCounts):
    """GridDailyStat summed per month: the whole months of a long period by grid, community or
    in total."""

    grid = _grid_column()

    class Meta:
        verbose_name = _("网格月统计")
        verbose_name_plural = _("网格月统计")
        indexes = _monthly_indexes("grid")


class DepartmentMonthlyStat(MonthlyCounts):
    """DepartmentDailyStat summed per month: the whole months of a long period by department."""

    department = _department_column()

    class Meta:
        verbose_name = _("部门月统计")
        verbose_name_plural = _("部门月统计")
        indexes = _monthly_indexes("department")


class CategoryMonthlyStat(MonthlyCounts):
    """CategoryDailyStat summed per month: the whole months of a long period by category."""

    category = _category_column()

    class Meta:
        verbose_name = _("分类月统计")
        verbose_name_plural = _("分类月统计")
        indexes = _monthly_indexes("category")


class CaseStatMark(models.Model):
    """The timestamps a case was last counted with in the daily rollup, so that a refresh also
    recounts the days a case has left (a deadline moved by an extension, a reopened case)."""

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE,
                                related_name="+")
    registered_at = models.DateTimeField(null=True)
    due_at = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)


class RollupState(models.Model):
    """One row: how far the rollup has read the cases. Locked while a refresh runs, so that two
    refreshes at once take turns."""

    refreshed_through = models.DateTimeField(null=True)
    rebuilt_at = models.DateTimeField(null=True)
