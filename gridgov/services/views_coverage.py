"""Pages of the two coverages (两个覆盖): the table by grid, building, community or sector with
its map by grid, the list of the uncovered, and both as spreadsheets."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core import tabular
from gridgov.core.access import role_required
from gridgov.grids.models import Grid

from . import coverage
from .rules import COVERAGE_READERS
from .views import _int

MESSAGE = gettext_lazy("只有党建办、镇领导、城运中心、网格员和管理员可以查看两个覆盖")
BY_LABELS = {"grid": gettext_lazy("网格"), "building": gettext_lazy("楼宇"),
             "community": gettext_lazy("居民区"), "sector": gettext_lazy("领域")}


def _by(request) -> str:
    by = request.GET.get("by", "grid")
    return by if by in coverage.GROUPS else "grid"


def _percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def map_data(rows) -> list[dict]:
    """Each grid of the table with its boundary and rates, for the map."""
    by_grid = {row.key: row for row in rows}
    grids = Grid.objects.filter(pk__in=[k for k in by_grid if k]).only("pk", "name", "boundary")
    return [{"id": g.pk, "name": g.name, "boundary": g.boundary,
             "total": by_grid[g.pk].total, "both_rate": by_grid[g.pk].both_rate,
             "organisation_rate": by_grid[g.pk].organisation_rate,
             "work_rate": by_grid[g.pk].work_rate} for g in grids]


@role_required(COVERAGE_READERS, MESSAGE)
def coverage_table(request):
    by = _by(request)
    register = coverage.register_for(request.user)
    rows = coverage.coverage_by(register, by)
    grid_rows = rows if by == "grid" else coverage.coverage_by(register, "grid")
    return render(request, "services/coverage.html", {
        "by": by, "by_labels": BY_LABELS, "rows": rows, "total": coverage.coverage_total(register),
        "map": {"grids": map_data(grid_rows),
                "labels": {"total": _("组织数"), "both": _("两个覆盖率"),
                           "organisation": _("组织覆盖率"), "work": _("工作覆盖率")}},
    })


@role_required(COVERAGE_READERS, MESSAGE)
def uncovered_list(request):
    rows = coverage.uncovered(coverage.register_for(request.user))
    page = Paginator(rows, 50).get_page(_int(request.GET.get("page"), 1))
    return render(request, "services/uncovered.html", {"page": page})


def _table_sheet(register, by) -> tabular.Sheet:
    rows = coverage.coverage_by(register, by) + [coverage.coverage_total(register)]
    return tabular.Sheet(
        title=f"两个覆盖（按{BY_LABELS[by]}）",
        header=[str(BY_LABELS[by]), "组织数", "组织覆盖", "组织覆盖率", "工作覆盖", "工作覆盖率",
                "两个覆盖", "两个覆盖率"],
        rows=([r.label, r.total, r.organisation_covered, _percent(r.organisation_rate),
               r.work_covered, _percent(r.work_rate), r.both, _percent(r.both_rate)]
              for r in rows))


def _uncovered_sheet(register) -> tabular.Sheet:
    return tabular.Sheet(
        title="未覆盖组织", header=["名称", "领域", "网格", "所在楼宇", "组织覆盖", "工作覆盖"],
        rows=([o.name, o.get_sector_display(), o.grid.name if o.grid_id else "",
               o.building.name if o.building_id else "",
               "是" if o.organisation_covered else "否", "是" if o.work_covered else "否"]
              for o in coverage.uncovered(register).iterator(chunk_size=2000)))


@role_required(COVERAGE_READERS, MESSAGE)
def coverage_export(request):
    register = coverage.register_for(request.user)
    return tabular.xlsx_response([_table_sheet(register, _by(request)),
                                  _uncovered_sheet(register)], "两个覆盖.xlsx")


