"""Tabular exports for every app: a CSV that streams and an .xlsx written in write-only mode,
both through the one spreadsheet-formula guard.

A table is a Sheet: a title, optional lines above the header (a period, a note), the header and
rows that are read as they are written (a generator over `values_list().iterator()`), so a
million rows take the memory of one chunk. The CSV begins with a UTF-8 byte-order mark, without
which Excel reads Chinese text as GBK; an .xlsx is a zip that is complete only at its end, so it
is written to a temporary file that the response then streams.

The guard. Text from data (a department named "=1+1 执法队", a place called "=HYPERLINK(...)")
must not be run by Excel, WPS or LibreOffice when the file is opened ("CSV injection": a formula
can send the sheet's data out, or start a program through DDE in old Excel). A cell is taken for
a formula when it begins with =, +, - or @, with their full-width forms (＝＋－＠, which Chinese
input methods type and Excel in East Asian locales converts), or with a tab or line break before
any of those (some programs trim those first). looks_like_formula() is that rule; then
- in a CSV, which has no cell types, the cell gets a leading apostrophe (OWASP's advice; the
  cell reads as text) that without_csv_guard() removes again on import;
- in an .xlsx, whose cells are typed, the cell is stored as a string with Excel's quote prefix,
  exactly what Excel stores when one types '=1+1: shown as written, read back unchanged, and not
  turned into a formula even when the cell is edited.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FORMULA_START = frozenset("=+-@＝＋－＠\t\r\n")
BOM = "\ufeff"


def looks_like_formula(value) -> bool:
    """Whether a spreadsheet would take this cell for a formula (see the module's docstring)."""
    return isinstance(value, str) and value[:1] in FORMULA_START


def csv_cell(value):
    return "'" + value if looks_like_formula(value) else value


def without_csv_guard(text: str) -> str:
    """An imported cell without the apostrophe csv_cell() put before a formula-like text."""
    return text[1:] if text.startswith("'") and looks_like_formula(text[1:]) else text


@dataclass
class Sheet:
    title: str
    header: Sequence
    rows: Iterable[Sequence]
    # Lines above the header (the period a table covers); the header is bold under them.
    preamble: Sequence[Sequence] = ()
    # Column letter -> width in characters (xlsx only).
    widths: dict[str, float] = field(default_factory=dict)
    # The header (and the first column, when it names the rows) stay in view while scrolling.
    freeze_first_column: bool = False


class _Echo:
    """A file whose write() hands the line back, so that csv.writer feeds a stream."""

    def write(self, line: str) -> str:
        return line


def csv_lines(sheet: Sheet) -> Iterator[str]:
    """The CSV of a sheet, line by line, beginning with the byte-order mark."""
    writer = csv.writer(_Echo())
    yield BOM
    for line in (*sheet.preamble, sheet.header):
        yield writer.writerow([csv_cell(_text(value)) for value in line])
    for row in sheet.rows:
        yield writer.writerow([csv_cell(_text(value)) for value in row])


def csv_response(sheet: Sheet, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(sheet), content_type=CSV)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def write_xlsx(sheets: Iterable[Sheet], target) -> None:
    """The sheets as one workbook into a binary file object; write-only mode keeps memory flat
    however many rows."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        out = book.create_sheet(sheet.title[:31])  # Excel's limit for a sheet's name
        for column, width in sheet.widths.items():
            out.column_dimensions[column].width = width
        header_row = len(sheet.preamble) + 1
        out.freeze_panes = f"{get_column_letter(2 if sheet.freeze_first_column else 1)}{header_row + 1}"
        for line in sheet.preamble:
            out.append([_xlsx_cell(out, value) for value in line])
        out.append([_xlsx_cell(out, value, font=bold) for value in sheet.header])
        for row in sheet.rows:
            out.append([_xlsx_cell(out, value) for value in row])
    book.save(target)


def xlsx_response(sheets: Iterable[Sheet], filename: str) -> FileResponse:
    target = tempfile.TemporaryFile()
    write_xlsx(sheets, target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=filename, content_type=XLSX)


def _text(value):
    """Lazy translations (headers) as text; everything else as it is."""
    return str(value) if isinstance(value, Promise) else value


def _xlsx_cell(sheet, value, font=None):
    value = _text(value)
    if isinstance(value, str):
        # Control characters other than tab and line breaks are not allowed in the file's XML.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if font is None and not looks_like_formula(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if looks_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
