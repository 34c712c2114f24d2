"""Grid geometry: GeoJSON in, validated shapely polygons out."""

import math

import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

from gridgov.core.errors import Refusal


def polygon_from_geojson(geometry) -> shapely.Geometry:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise Refusal("not_polygon", "边界必须是 GeoJSON Polygon 或 MultiPolygon", "boundary")
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, IndexError, AttributeError, shapely.errors.ShapelyError):
        raise Refusal("bad_geometry", "边界坐标格式不正确", "boundary") from None
    if polygon.is_empty:
        raise Refusal("empty", "边界为空", "boundary")
    if not polygon.is_valid:
        reason = explain_validity(polygon)
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
            raise Refusal("self_intersection", f"边界自相交：{reason}", "boundary")
        raise Refusal("invalid_geometry", f"边界无效：{reason}", "boundary")
    west, south, east, north = polygon.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise Refusal("out_of_range", "坐标超出经纬度范围（应为 WGS84 经度、纬度）", "boundary")
    return polygon


# Metres per degree at the town's latitude: areas and distances over a few kilometres need no
# projection library.
EARTH_RADIUS_M = 6_371_008.8


def metres_per_degree(latitude: float) -> tuple[float, float]:
    per_lat = math.pi * EARTH_RADIUS_M / 180
    return per_lat * math.cos(math.radians(latitude)), per_lat


def area_m2(polygon: shapely.Geometry) -> float:
    per_lon, per_lat = metres_per_degree(polygon.centroid.y)
    return polygon.area * per_lon * per_lat
