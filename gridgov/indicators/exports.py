"""Downloads: the indicators as an Excel workbook, and the cases behind them as a CSV that
streams, both written by gridgov.core.tabular (formula guard, byte-order mark, flat memory).

The CSV reads plain tuples (values_list) through a server-side cursor in chunks and carries no
personal data of reporters.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.cases.models import Satisfaction, Source, State, Urgency
from gridgov.core import tabular
from gridgov.indicators.figures import (
    AVERAGE_HOURS_LABEL,
    COUNT_LABELS,
    GROUPINGS,
    RATES,
    Period,
    indicator_rows,
)

CHUNK = 2000
# The workbook's sheets: the total first, then each grouping.
SHEETS = ("total", "community", "grid", "department", "category")


def indicator_sheets(stats, period: Period) -> list[tabular.Sheet]:
    """One sheet per grouping of the indicators over the period (one query per sheet);
    `stats(grouping)` gives the rollup rows to sum for a grouping."""
    header = [*COUNT_LABELS.values(), *(f"{label}(%)" for label, _num, _den in RATES.values()),
              AVERAGE_HOURS_LABEL]
    return [
        tabular.Sheet(
            title=str(GROUPINGS[grouping][0]),
            preamble=[(_("统计期间"), f"{period.start:%Y-%m-%d} — {period.end:%Y-%m-%d}")],
            header=[GROUPINGS[grouping][0], *header],
            rows=[(row.label,
                   *(row.counts[name] for name in COUNT_LABELS),
                   *(float(row.rates[name]) if row.rates[name] is not None else None
                     for name in RATES),
                   row.average_handling_hours)
                  for row in indicator_rows(stats(grouping), period, grouping)],
            widths={"A": 24},
            freeze_first_column=True,
        )
        for grouping in SHEETS
    ]


def indicators_response(stats, period: Period):
    return tabular.xlsx_response(indicator_sheets(stats, period),
                                 f"indicators-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx")


def _choice(choices):
    labels = {value: str(label) for value, label in choices}
    return lambda value: labels.get(value, value or "")


def _moment(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _plain(value):
    return "" if value is None else value


# (header, column read by values_list, how its value is shown)
CASE_COLUMNS = (
    (_("编号"), "number", _plain),
    (_("状态"), "state", _choice(State.choices)),
    (_("来源"), "source", _choice(Source.choices)),
    (_("大类"), "category__major_name", _plain),
    (_("小类"), "category__name", _plain),
    (_("问题描述"), "description", _plain),
    (_("地址"), "address", _plain),
    (_("居民区"), "community__name", _plain),
    (_("网格"), "grid__name", _plain),
    (_("处置部门"), "department__name", _plain),
    (_("紧急程度"), "urgency", _choice(Urgency.choices)),
    (_("上报时间"), "reported_at", _moment),
    (_("立案时间"), "registered_at", _moment),
    (_("派遣时间"), "dispatched_at", _moment),
    (_("处置完毕时间"), "handled_at", _moment),
    (_("结案时间"), "closed_at", _moment),
    (_("处置时限"), "due_at", _moment),
    (_("按期结案"), "closed_on_time", lambda v: "" if v is None else str(_("是") if v else _("否"))),
    (_("处置用时（工作小时）"), "handling_hours", _plain),
    (_("退单次数"), "return_count", _plain),
    (_("返工次数"), "rework_count", _plain),
    (_("满意度"), "satisfaction", _choice(Satisfaction.choices)),
    (_("示例数据"), "is_sample", lambda v: str(_("是")) if v else ""),
)

def case_rows(cases):
    """One row per case, as they are read."""
    shows = [show for _header, _col, show in CASE_COLUMNS]
    columns = [column for _header, column, _show in CASE_COLUMNS]
    for values in cases.order_by("-reported_at", "-pk").values_list(*columns).iterator(
            chunk_size=CHUNK):
        yield [show(value) for show, value in zip(shows, values)]


def cases_response(cases):
    sheet = tabular.Sheet(title=str(_("事件")), header=[header for header, _c, _s in CASE_COLUMNS],
                          rows=case_rows(cases))
    return tabular.csv_response(sheet, f"cases-{timezone.localdate():%Y%m%d}.csv")
