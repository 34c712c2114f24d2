"""Exports, produced piece by piece so that a city's places never sit in memory at once.

Both formats read back through the importers unchanged (extra columns and properties are
ignored there).
"""

import json
from collections.abc import Iterator

from gridgov.core import audit, tabular
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


def places_sheet(places) -> tabular.Sheet:
    """The places as a table for gridgov.core.tabular (CSV or xlsx), read as it is written."""
    return tabular.Sheet(title="地点", header=PLACE_HEADER, rows=place_rows(places))
