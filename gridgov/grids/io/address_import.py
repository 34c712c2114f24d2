"""The town's standard addresses (地名地址) from a spreadsheet (.xlsx) or .csv file.

Columns, by header (Chinese or English, any order): 路名/road, 门牌号/number ("88", "88号",
"88弄"), 小区/compound and 楼栋/building (may be empty), 经度/longitude, 纬度/latitude (WGS 84).

The file is the town's whole register: an import replaces every address of the town, all or
nothing; a file with any error writes nothing and lists the errors by row.
"""

import re

from django.db import transaction

from gridgov.core import audit
from gridgov.grids.addresses import MAX_NUMBER_DIGITS, normalize
from gridgov.grids.io.errors import ErrorList, ImportReport
from gridgov.grids.io.place_import import _text, point, read_table, table_rows
from gridgov.grids.models import Address, AddressRoad, Town

audit.register("grids.address.imported", "导入标准地址")

COLUMNS = {
    "road": ("路名", "道路", "road"),
    "number": ("门牌号", "门牌", "number"),
    "compound": ("小区", "compound"),
    "building": ("楼栋", "楼号", "building"),
    "longitude": ("经度", "longitude", "lon", "lng"),
    "latitude": ("纬度", "latitude", "lat"),
}
REQUIRED = ("road", "number", "longitude", "latitude")
FIELD_LABELS = {"road": "路名", "number": "门牌号", "compound": "小区", "building": "楼栋",
                "longitude": "经度", "latitude": "纬度"}
# A district's register in one file: a town holds tens of thousands of addresses.
MAX_ROWS = 500_000
MAX_FILE_BYTES = 100 * 1024 * 1024
NUMBER = re.compile(rf"^(\d{{1,{MAX_NUMBER_DIGITS}}})(号|弄|支弄)?$")
MAX_LENGTHS = {"road": 50, "compound": 50, "building": 30}


def check_addresses(table: list[tuple[int, tuple]]) -> list[dict]:
    header_row = table[0][0]
    errors = ErrorList()
    rows, seen = [], {}
    for row_number, cells in table_rows(table, COLUMNS, REQUIRED, FIELD_LABELS):
        cell = cells.get
        before = len(errors)
        values = {field: normalize(_text(cell(field))) for field in MAX_LENGTHS}
        for field, limit in MAX_LENGTHS.items():
            if len(values[field]) > limit:
                errors.add(row_number, FIELD_LABELS[field], "too_long",
                           f"{FIELD_LABELS[field]}不能超过{limit}个字")
        if not values["road"]:
            errors.add(row_number, "路名", "required", "路名不能为空")
        number = NUMBER.match(normalize(_text(cell("number"))))
        if number is None:
            errors.add(row_number, "门牌号", "invalid", "门牌号应为数字，可带“号”或“弄”，如 88号")
        longitude, latitude = point(row_number, cell, errors)
        if len(errors) > before:
            continue
        key = (values["road"], int(number[1]), number[2] or "号", values["building"])
        if key in seen:
            errors.add(row_number, "门牌号", "duplicate", f"与第 {seen[key]} 行重复")
            continue
        seen[key] = row_number
        rows.append({"road": key[0], "number": key[1], "number_suffix": key[2],
                     "compound": values["compound"], "building": key[3],
                     "longitude": longitude, "latitude": latitude})
    if len(table) == 1:
        errors.add(header_row, "", "empty", "表格只有表头，没有数据")
    errors.refuse_if_any()
    return rows


COMPARED = ("number", "number_suffix", "compound", "building", "longitude", "latitude")


def _unchanged(stored, rows: list[dict]) -> bool:
    """Whether the file holds the register as stored (imported again): then nothing is written."""
    return (sorted(stored.values_list("road__name", *COMPARED))
            == sorted((row["road"], *(row[field] for field in COMPARED)) for row in rows))


def import_addresses(data: bytes, *, town: Town, actor, filename: str = "",
                     is_sample: bool = False) -> ImportReport:
    rows = check_addresses(read_table(data, filename, max_rows=MAX_ROWS, max_bytes=MAX_FILE_BYTES))
    with transaction.atomic():
        Town.objects.select_for_update().filter(pk=town.pk).first()
        stored = Address.objects.filter(road__town=town)
        if _unchanged(stored, rows):
            return ImportReport(rows=len(rows), unchanged=len(rows))
        replaced = stored.count()
        AddressRoad.objects.filter(town=town).delete()
        roads = {name: AddressRoad(town=town, name=name)
                 for name in sorted({row["road"] for row in rows})}
        AddressRoad.objects.bulk_create(roads.values())  # sets their ids on both databases
        Address.objects.bulk_create(
            [Address(road=roads[row.pop("road")], is_sample=is_sample, **row) for row in rows],
            batch_size=2000)
        audit.record("grids.address.imported", actor=actor, target=town, changes={
            "file": filename[:200], "addresses": len(rows), "roads": len(roads),
            "replaced": replaced})
    return ImportReport(rows=len(rows), created=len(rows), counts={"replaced": replaced})
