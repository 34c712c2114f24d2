"""Places from a spreadsheet (.xlsx) or a .csv file.

Columns, by header (Chinese or English, any order; other columns are ignored):
名称/name, 类型/kind, 地址/address (may be empty), 经度/longitude/lon/lng, 纬度/latitude/lat.
类型 is a place kind's Chinese label (楼宇, 商铺, ...) or its code (building, shop, ...).
Coordinates are WGS 84 decimal degrees.

A place is known by (town, kind, name): a row naming an existing place updates its address and
coordinates; any other row creates a place. Every place gets its grid from the point-to-grid
lookup; a place outside every grid is imported without a grid and counted in the report.
"""

import csv
import io
import math
import zipfile

from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from gridgov.core import audit, tabular
from gridgov.grids import lookup
from gridgov.grids.io.bulk import update_columns
from gridgov.grids.io.errors import ErrorList, ImportRefused, ImportReport
from gridgov.grids.models import Place, PlaceKind, Town

audit.register("grids.place.imported", "导入地点")

MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_ROWS = 100_000
COLUMNS = {
    "name": ("名称", "name"),
    "kind": ("类型", "kind", "type"),
    "address": ("地址", "address"),
    "longitude": ("经度", "longitude", "lon", "lng"),
    "latitude": ("纬度", "latitude", "lat"),
}
REQUIRED = ("name", "kind", "longitude", "latitude")
FIELD_LABELS = {"name": "名称", "kind": "类型", "address": "地址", "longitude": "经度", "latitude": "纬度"}
KINDS = {**{str(label): value for value, label in PlaceKind.choices},
         **{value: value for value in PlaceKind.values}}


def read_table(data: bytes, filename: str = "", max_rows: int = MAX_ROWS,
               max_bytes: int = MAX_FILE_BYTES) -> list[tuple[int, tuple]]:
    """[(row number, cells)] of a .xlsx or .csv file, header first, empty rows left out."""
    if len(data) > max_bytes:
        raise ImportRefused.single("too_large", f"文件超过 {max_bytes // 1024 // 1024} MB")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused.single("old_excel", "不支持旧版 .xls 文件，请另存为 .xlsx 或 .csv")
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".xlsx", ".xls")):
        raise ImportRefused.single("bad_file", "文件不是有效的 .xlsx 表格")
    else:
        rows = _csv_rows(data)
    table = []
    for number, cells in rows:
        if any(cell not in (None, "") for cell in cells):
            table.append((number, tuple(cells)))
            if len(table) > max_rows + 1:
                raise ImportRefused.single("too_many", f"一次最多导入 {max_rows} 行")
    if not table:
        raise ImportRefused.single("empty", "文件是空的")
    return table


def _xlsx_rows(data: bytes):
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportRefused.single("bad_file", "文件不是有效的 .xlsx 表格") from None
    sheet = workbook.worksheets[0]
    return enumerate(sheet.iter_rows(values_only=True), 1)


def _csv_rows(data: bytes):
    # Excel in a Chinese locale saves CSV as GB18030; everything else as UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused.single("bad_encoding", "无法识别文件编码，请使用 UTF-8 或 GBK")
    try:
        return list(enumerate(csv.reader(io.StringIO(text, newline="")), 1))
    except csv.Error as error:
        raise ImportRefused.single("bad_csv", f"CSV 格式有误：{error}") from None


def _columns(header: tuple, columns=COLUMNS, required=REQUIRED,
             labels=FIELD_LABELS) -> dict[str, int]:
    """{field: position} of the header's columns, or ImportRefused naming those missing."""
    names = [str(cell or "").strip().lower() for cell in header]
    found = {}
    for field, aliases in columns.items():
        for position, name in enumerate(names):
            if name in aliases:
                found[field] = position
                break
    missing = [labels[f] for f in required if f not in found]
    if missing:
        raise ImportRefused.single(
            "missing_column",
            f"第1行表头缺少列：{'、'.join(missing)}（应为 {', '.join(labels.values())}）", row=1)
    return found


def _text(value) -> str:
    # A formula-like cell of a CSV export comes back with the guard's apostrophe: removed again.
    return tabular.without_csv_guard("" if value is None else str(value).strip())


def _coordinate(value, low: float, high: float) -> tuple[float | None, str]:
    try:
        number = float(str(value).strip()) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        return None, "not_number"
    if not math.isfinite(number) or not low <= number <= high:
        return None, "out_of_range"
    return number, ""


def table_rows(table: list[tuple[int, tuple]], columns=COLUMNS, required=REQUIRED,
               labels=FIELD_LABELS):
    """(row number, {field: cell}) of each row under the header, or ImportRefused."""
    positions = _columns(table[0][1], columns, required, labels)
    for number, cells in table[1:]:
        yield number, {field: cells[position] if position < len(cells) else None
                       for field, position in positions.items()}


def point(number: int, cell, errors: ErrorList) -> tuple[float | None, float | None]:
    """The row's longitude and latitude (WGS 84), each error added."""
    longitude, problem = _coordinate(cell("longitude"), -180, 180)
    if problem:
        errors.add(number, "经度", problem, "经度应为 -180 到 180 之间的数字（WGS84，如 121.38）")
    latitude, problem = _coordinate(cell("latitude"), -90, 90)
    if problem:
        errors.add(number, "纬度", problem, "纬度应为 -90 到 90 之间的数字（WGS84，如 31.21）")
    return longitude, latitude


def check_places(table: list[tuple[int, tuple]]) -> list[dict]:
    """The rows as dicts (row, name, kind, address, longitude, latitude), or ImportRefused."""
    header_row = table[0][0]
    errors = ErrorList()
    rows, seen = [], {}
    for number, cells in table_rows(table):
        cell = cells.get
        before = len(errors)
        name, address = _text(cell("name")), _text(cell("address"))
        if not name:
            errors.add(number, "名称", "required", "名称不能为空")
        elif len(name) > 100:
            errors.add(number, "名称", "too_long", "名称不能超过100个字")
        if len(address) > 200:
            errors.add(number, "地址", "too_long", "地址不能超过200个字")
        kind_text = _text(cell("kind"))
        kind = KINDS.get(kind_text) or KINDS.get(kind_text.lower())
        if kind is None:
            errors.add(number, "类型", "unknown_kind",
                       f"未知的地点类型“{kind_text}”，可选：{'、'.join(map(str, PlaceKind.labels))}")
        longitude, latitude = point(number, cell, errors)
        if kind and name:
            if (kind, name) in seen:
                errors.add(number, "名称", "duplicate",
                           f"与第 {seen[kind, name]} 行重复（同类型同名称）")
            seen.setdefault((kind, name), number)
        if len(errors) == before:
            rows.append({"row": number, "name": name, "kind": kind, "address": address,
                         "longitude": longitude, "latitude": latitude})
    if len(table) == 1:
        errors.add(header_row, "", "empty", "表格只有表头，没有数据")
    errors.refuse_if_any()
    return rows


def import_places(data: bytes, *, town: Town, actor, filename: str = "") -> ImportReport:
    rows = check_places(read_table(data, filename))
    try:
        with transaction.atomic():
            Town.objects.select_for_update().filter(pk=town.pk).first()
            report = _write(rows, town)
            audit.record("grids.place.imported", actor=actor, target=town, changes={
                "file": filename[:200], **report.as_dict()})
    except IntegrityError:
        raise ImportRefused.single(
            "conflict", "写入时与其他数据冲突（可能有人同时导入），未做任何修改，请重试") from None
    return report


UPDATED = ("address", "longitude", "latitude", "grid")


def _same(stored: tuple, wanted: tuple) -> bool:
    """(address, longitude, latitude, grid id) alike? Spreadsheets keep 15 significant digits:
    a coordinate that moved less than 0.1 mm is the same coordinate."""
    return (stored[0] == wanted[0] and stored[3] == wanted[3]
            and math.isclose(stored[1], wanted[1], rel_tol=0, abs_tol=1e-9)
            and math.isclose(stored[2], wanted[2], rel_tol=0, abs_tol=1e-9))


def _stored(town: Town, rows: list[dict], chunk: int = 500) -> dict:
    """{(kind, name): (pk, address, longitude, latitude, grid id)} of the places the rows name,
    asked kind by kind so that each query walks the (town, kind, name) unique index."""
    by_kind: dict[str, list[str]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row["name"])
    stored = {}
    for kind, names in by_kind.items():
        for start in range(0, len(names), chunk):
            for pk, name, *values in Place.objects.filter(
                    town=town, kind=kind, name__in=names[start:start + chunk]).values_list(
                    "pk", "name", "address", "longitude", "latitude", "grid_id"):
                stored[kind, name] = (pk, *values)
    return stored


def _write(rows: list[dict], town: Town) -> ImportReport:
    report = ImportReport(rows=len(rows))
    results = lookup.build_index(town).locate_many([(r["longitude"], r["latitude"]) for r in rows])
    statuses = [result.status for result in results]
    report.counts = {
        "inside": statuses.count(lookup.INSIDE),
        "border": statuses.count(lookup.BORDER),
        "outside": statuses.count(lookup.OUTSIDE),
        # The first rows outside every grid, to look at (often swapped or GCJ-02 coordinates).
        "outside_rows": [row["row"] for row, status in zip(rows, statuses)
                         if status == lookup.OUTSIDE][:20],
    }
    stored = _stored(town, rows)
    new, changed = [], []
    for row, result in zip(rows, results):
        wanted = (row["address"], row["longitude"], row["latitude"], result.assigned_grid_id)
        known = stored.get((row["kind"], row["name"]))
        if known is None:
            new.append(Place(town=town, kind=row["kind"], name=row["name"],
                             **dict(zip(("address", "longitude", "latitude", "grid_id"), wanted))))
        elif _same(known[1:], wanted):
            report.unchanged += 1
        else:
            changed.append((*wanted, known[0]))
    Place.objects.bulk_create(new, batch_size=1000)
    update_columns(Place, list(UPDATED), changed)
    report.created, report.updated = len(new), len(changed)
    return report
