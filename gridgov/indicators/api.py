"""The indicators API (/api/indicators/): the figures of the dashboard as a table, for leaders,
operators and administrators within their scope."""

import datetime as dt

from ninja import Field, Query, Router, Schema

from gridgov.core import params
from gridgov.core.access import require_role
from gridgov.indicators import figures, rollup

router = Router(tags=["统计分析"])


class IndicatorRowOut(Schema):
    key: int | str | None
    label: str
    counts: dict[str, int]
    rates: dict[str, float | None] = Field(description="百分比，两位小数；无分母时为 null")
    average_handling_hours: float | None


class IndicatorsOut(Schema):
    start: dt.date
    end: dt.date
    grouping: str
    refreshed_through: dt.datetime | None = Field(description="统计数据更新至")
    rows: list[IndicatorRowOut]


@router.get("", response=IndicatorsOut, summary="考核指标（镇领导、城运中心、管理员）")
def indicator_table(
    request,
    grouping: str = Query("total", pattern="^(" + "|".join(figures.GROUPINGS) + ")$"),
    start: params.ApiDay = Query(None, description="默认为结束日期前30天（含结束日期当天）"),
    end: params.ApiDay = Query(None, description="默认今天"),
    grid: params.ApiId = None,
    community: params.ApiId = None,
    department: params.ApiId = None,
    category: params.ApiId = None,
):
    require_role(request.user, figures.INDICATOR_ROLES, "仅镇领导、城运中心和管理员可查看考核指标")
    period = figures.Period.of(start, end)
    stats = figures.stats_for(request.user, grouping, grid=grid, community=community,
                              department=department, category=category)
    rows = figures.indicator_rows(stats, period, grouping)
    return {
        "start": period.start, "end": period.end, "grouping": grouping,
        "refreshed_through": rollup.refreshed_through(),
        "rows": [{"key": row.key.isoformat() if grouping == "day" else row.key,
                  "label": row.label, "counts": row.counts,
                  "rates": {k: float(v) if v is not None else None for k, v in row.rates.items()},
                  "average_handling_hours": row.average_handling_hours} for row in rows],
    }
