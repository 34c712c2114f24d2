"""Exports, produced piece by piece so that a city's places never sit in memory at once.

Both formats read back through the importers unchanged (extra columns and properties are
ignored there).
"""

import csv
import json
from collections.abc import Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from gridgov.core import audit
from gridgov.grids.io.place_import import FORMULA_START
from gridgov.grids.models import PlaceKind

audit.register("grids.grid.exported", "导出网格")
audit.register("grids.place.exported", "导出地点")

PLACE_HEADER = ("名称", "类型", "地址", "经度", "纬度", "网格编号", "网格名称")
CHUNK = 2000


def grid_features(grids) -> Iterator[dict]:
    for grid in grids.select_related("town", "community").order_by("town_id", "number").iterator(
            chunk_size=500):
        yield {
            "type": "Feature",
            "geometry": grid.boundary,
            "properties": {
                "number": grid.number,
                "name": grid.name,
                "unit_code": grid.unit_code,
                "community": grid.community.name,
                "community_code": grid.community.code,
                "signature_service": grid.signature_service,
                "town": grid.town.name,
            },
        }


def grids_geojson_chunks(grids) -> Iterator[str]:
    yield '{"type": "FeatureCollection", "features": [\n'
    separator = ""
    for feature in grid_features(grids):
        yield separator + json.dumps(feature, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


def place_rows(places) -> Iterator[tuple]:
    labels = {value: str(label) for value, label in PlaceKind.choices}
    rows = places.order_by("pk").values_list(
        "name", "kind", "address", "longitude", "latitude", "grid__number", "grid__name")
    for name, kind, address, longitude, latitude, grid_number, grid_name in rows.iterator(
            chunk_size=CHUNK):
        yield (name, labels.get(kind, kind), address, longitude, latitude,
               grid_number if grid_number is not None else "", grid_name or "")


class _Line:
    """csv.writer writes into this and hands the line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def _defused(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def places_csv_chunks(places) -> Iterator[str]:
    writer = csv.writer(_Line())
    # The byte-order mark makes Excel read the Chinese text as UTF-8.
    yield "\ufeff" + writer.writerow(PLACE_HEADER)
    for row in place_rows(places):
        yield writer.writerow([_defused(value) for value in row])


def write_places_xlsx(places, target) -> None:
    """Into a binary file object; write-only mode keeps memory flat however many rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("地点")
    sheet.append(PLACE_HEADER)
    for row in place_rows(places):
        sheet.append([_text_cell(sheet, value) for value in row])
    workbook.save(target)


def _text_cell(sheet, value):
    if not isinstance(value, str) or not value.startswith("="):
        return value
    # openpyxl would store a string starting with "=" as a formula: force plain text.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
