"""Downloads: the indicators as an Excel workbook, and the cases as a CSV that streams.

The CSV reads plain tuples (values_list) through a server-side cursor in chunks and writes each
row as it comes, so a million cases take the memory of one chunk. It starts with a UTF-8 byte
order mark, so that Excel opens the Chinese text correctly, and carries no personal data of
reporters.
"""

import csv
from io import BytesIO

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gridgov.cases.indicators import (
    AVERAGE_HOURS_LABEL,
    COUNT_LABELS,
    GROUPINGS,
    RATES,
    Period,
    indicator_rows,
)
from gridgov.cases.models import Satisfaction, Source, State, Urgency

CHUNK = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The workbook's sheets: the total first, then each grouping.
SHEETS = ("total", "community", "grid", "department", "category")


def indicators_workbook(stats, period: Period) -> bytes:
    """One sheet per grouping of the indicators over the period (one query per sheet);
    `stats(grouping)` gives the rollup rows to sum for a grouping."""
    book = Workbook()
    book.remove(book.active)
    header = [*map(str, COUNT_LABELS.values()),
              *(f"{label}(%)" for label, _num, _den in RATES.values()), str(AVERAGE_HOURS_LABEL)]
    for grouping in SHEETS:
        label = str(GROUPINGS[grouping][0])
        sheet = book.create_sheet(label)
        sheet.append([str(_("统计期间")), f"{period.start:%Y-%m-%d} — {period.end:%Y-%m-%d}"])
        sheet.append([label, *header])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in indicator_rows(stats(grouping), period, grouping):
            sheet.append([
                row.label,
                *(row.counts[name] for name in COUNT_LABELS),
                *(float(row.rates[name]) if row.rates[name] is not None else None for name in RATES),
                row.average_handling_hours,
            ])
        sheet.column_dimensions["A"].width = 24
        sheet.freeze_panes = "B3"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def indicators_response(stats, period: Period) -> HttpResponse:
    response = HttpResponse(indicators_workbook(stats, period), content_type=XLSX)
    name = f"indicators-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


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

# A cell that starts like a formula is shown as text, not run by the spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    """A file whose write() hands the line back, so csv.writer feeds the stream."""

    def write(self, value):
        return value


def case_rows(cases):
    """Lines of the CSV: byte order mark and header, then one line per case, as they are read."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(header) for header, _col, _show in CASE_COLUMNS])
    shows = [show for _header, _col, show in CASE_COLUMNS]
    columns = [column for _header, column, _show in CASE_COLUMNS]
    for values in cases.order_by("-reported_at", "-pk").values_list(*columns).iterator(
            chunk_size=CHUNK):
        yield writer.writerow([_safe(show(value)) for show, value in zip(shows, values)])


def cases_response(cases) -> StreamingHttpResponse:
    response = StreamingHttpResponse(case_rows(cases), content_type="text/csv; charset=utf-8")
    name = f"cases-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

