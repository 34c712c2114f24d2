"""Base-map layers from a GeoJSON FeatureCollection (WGS 84), one layer per file.

Each feature is a road (LineString or MultiLineString), a building, water or green area (Polygon
or MultiPolygon) or a landmark (Point or Polygon), with the optional properties `name` (or 名称),
`min_zoom` and `label_min_zoom` (defaults per layer in `basemap.DEFAULT_ZOOMS`). A shapefile
exported from the town's GIS becomes such a file with GDAL's
`ogr2ogr -f GeoJSON -t_srs EPSG:4326 roads.geojson roads.shp` (README).

An import replaces the town's features of that layer, all-or-nothing: every feature is checked
first, and a file with any error writes nothing and lists the errors by feature. A GIS cuts each
road into segments between crossings; they are stored as one feature per road name (and unnamed
segments joined where they meet), so that a map of the whole town needs hundreds of features,
not tens of thousands, and each name is one label.
"""

import json
from collections import defaultdict

import shapely
from django.db import transaction

from gridgov.core import audit
from gridgov.grids.basemap import MAX_ZOOM, MIN_ZOOM, default_zooms
from gridgov.grids.geometry import area_m2
from gridgov.grids.io.errors import ErrorList, ImportRefused, ImportReport
from gridgov.grids.io.grid_import import read_features
from gridgov.grids.models import BaseMapFeature, BaseMapKind, Town

audit.register("grids.basemap.imported", "导入底图图层")

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_FEATURES = 200_000
GEOMETRY_TYPES = {
    BaseMapKind.ROAD: ("LineString", "MultiLineString"),
    BaseMapKind.BUILDING: ("Polygon", "MultiPolygon"),
    BaseMapKind.WATER: ("Polygon", "MultiPolygon", "LineString", "MultiLineString"),
    BaseMapKind.GREEN: ("Polygon", "MultiPolygon"),
    BaseMapKind.LANDMARK: ("Point", "Polygon", "MultiPolygon"),
}


def import_basemap(data: bytes, *, town: Town, kind: str, actor, is_sample: bool = False,
                   source_name: str = "") -> ImportReport:
    if kind not in BaseMapKind.values:
        raise ImportRefused.single("unknown_layer", f"未知图层：{kind}")
    features = read_features(data, max_bytes=MAX_FILE_BYTES, max_features=MAX_FEATURES)
    errors = ErrorList()
    checked = [row for n, feature in enumerate(features, 1)
               if (row := _feature(n, feature, kind, errors)) is not None]
    errors.refuse_if_any()
    rows = [_stored_row(*row) for row in (_roads_joined(checked) if kind == BaseMapKind.ROAD
                                           else checked)]
    with transaction.atomic():
        stored = BaseMapFeature.objects.filter(town=town, kind=kind)
        if _contents(stored.values(*COMPARED)) == _contents(rows):
            return ImportReport(rows=len(features), unchanged=len(rows))
        deleted, _ = stored.delete()
        BaseMapFeature.objects.bulk_create(
            [BaseMapFeature(town=town, kind=kind, is_sample=is_sample, **row) for row in rows],
            batch_size=2000)
        audit.record("grids.basemap.imported", actor=actor, target=town,
                     changes={"layer": kind, "features": len(rows), "replaced": deleted,
                              "file": source_name})
    return ImportReport(rows=len(features), created=len(rows), counts={"replaced": deleted})


COMPARED = ("name", "geometry", "min_zoom", "label_min_zoom")


def _contents(rows) -> list[tuple]:
    """The layer as a sorted list, to tell a file that changes nothing (imported again)."""
    return sorted(tuple(bytes(row[field]) if field == "geometry" else row[field]
                        for field in COMPARED) for row in rows)


def _roads_joined(rows: list[tuple]) -> list[tuple]:
    """One feature per (name, zooms): its segments in one MultiLineString, merged where they
    meet; unnamed segments joined into chains where they meet."""
    groups = defaultdict(list)
    for name, shape, drawn, labelled in rows:
        groups[name, drawn, labelled].append(shape)
    joined = []
    for (name, drawn, labelled), shapes in groups.items():
        merged = shapely.line_merge(shapely.multilinestrings(shapely.get_parts(shapes)))
        parts = [merged] if name else list(shapely.get_parts(merged))
        joined += [(name, part, drawn, labelled) for part in parts]
    return joined


def _stored_row(name: str, shape, drawn: int, labelled: int) -> dict:
    west, south, east, north = shape.bounds
    return {"name": name, "geometry": shapely.to_wkb(shape), "min_longitude": west,
            "min_latitude": south, "max_longitude": east, "max_latitude": north,
            "min_zoom": drawn, "label_min_zoom": labelled}


def _feature(n: int, feature, kind: str, errors: ErrorList) -> tuple | None:
    """(name, shapely geometry, min zoom, label min zoom), or None with its errors added."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        errors.add(n, "", "not_feature", "不是 GeoJSON Feature")
        return None
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        errors.add(n, "properties", "invalid", "properties 应为对象")
        return None
    before = len(errors)
    name = str(props.get("name") or props.get("名称") or "").strip()
    if len(name) > 100:
        errors.add(n, "name", "too_long", "名称不能超过 100 个字")
    if "\x00" in name:
        errors.add(n, "name", "invalid", "名称含有不可见的控制字符")
    geometry = _geometry(n, feature.get("geometry"), kind, errors)
    size = area_m2(geometry) if geometry is not None and kind == BaseMapKind.BUILDING else 0
    drawn, labelled = default_zooms(kind, name, size)
    drawn = _zoom(n, "min_zoom", props.get("min_zoom", drawn), errors)
    labelled = _zoom(n, "label_min_zoom", props.get("label_min_zoom", labelled), errors)
    if len(errors) > before:
        return None
    return name, geometry, drawn, labelled


def _zoom(n: int, field: str, value, errors: ErrorList) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_ZOOM <= value <= MAX_ZOOM:
        errors.add(n, field, "invalid", f"{field} 应为 {MIN_ZOOM}–{MAX_ZOOM} 的整数")
        return None
    return value


def _geometry(n: int, geometry, kind: str, errors: ErrorList):
    allowed = GEOMETRY_TYPES[kind]
    if not isinstance(geometry, dict) or geometry.get("type") not in allowed:
        errors.add(n, "geometry", "wrong_type",
                   f"{BaseMapKind(kind).label}图层的几何应为 {' / '.join(allowed)}")
        return None
    try:
        shape = shapely.force_2d(shapely.from_geojson(json.dumps(geometry)))
    except (shapely.errors.GEOSException, ValueError, TypeError):
        errors.add(n, "geometry", "bad_geometry", "几何坐标格式不正确")
        return None
    if shape.is_empty:
        errors.add(n, "geometry", "empty", "几何为空")
        return None
    west, south, east, north = shape.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        errors.add(n, "geometry", "out_of_range", "坐标超出经纬度范围（应为 WGS84 经度、纬度）")
        return None
    if not shape.is_valid:
        errors.add(n, "geometry", "invalid_geometry",
                   f"几何无效：{shapely.is_valid_reason(shape)}")
        return None
    return shape
