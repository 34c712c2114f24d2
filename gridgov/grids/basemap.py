"""The town's own base map: what each map draws under the grids, for a viewport and a zoom.

A response holds at most MAX_FEATURES features: those drawn at this zoom (`min_zoom`) overlapping
the viewport, the most important first (lower `min_zoom`: main roads and water before
buildings), each simplified to half a screen pixel at this zoom. A name is labelled once per
response (on its longest piece: a road comes in many segments) from its `label_min_zoom` on.
"""

import json

import numpy as np
import shapely

from gridgov.grids.models import BaseMapFeature, BaseMapKind

MAX_FEATURES = 2000
MIN_ZOOM, MAX_ZOOM = 0, 22
# From this zoom on, geometries go out as stored.
FULL_DETAIL_ZOOM = 18

# (drawn from, labelled from) for each layer, unless the imported feature says otherwise.
DEFAULT_ZOOMS = {
    BaseMapKind.WATER: (12, 14),
    BaseMapKind.GREEN: (13, 15),
    BaseMapKind.ROAD: (12, 14),
    BaseMapKind.BUILDING: (17, 17),
    BaseMapKind.LANDMARK: (14, 15),
}
# Unnamed roads (lanes, service roads) appear later than named ones, large buildings earlier
# than the rest: a 1366×768 window at zoom 16 spans about 4 km² of town, hundreds of buildings.
UNNAMED_ROAD_MIN_ZOOM = 15
LARGE_BUILDING_M2, LARGE_BUILDING_MIN_ZOOM = 3000, 16


def default_zooms(kind: str, name: str, area_m2: float = 0) -> tuple[int, int]:
    drawn, labelled = DEFAULT_ZOOMS[kind]
    if kind == BaseMapKind.ROAD and not name:
        drawn = UNNAMED_ROAD_MIN_ZOOM
    if kind == BaseMapKind.BUILDING and area_m2 >= LARGE_BUILDING_M2:
        drawn = LARGE_BUILDING_MIN_ZOOM
    return drawn, labelled


def tolerance(zoom: int) -> float:
    """Half a screen pixel at this zoom, in degrees (256-pixel tiles)."""
    return 360 / (256 * 2 ** zoom) / 2


def features_in_view(bbox: tuple[float, float, float, float], zoom: int) -> str:
    """A GeoJSON FeatureCollection, as text: the geometries go from shapely to the answer
    without a round trip through Python objects."""
    west, south, east, north = bbox
    rows = list(
        BaseMapFeature.objects
        .filter(min_zoom__lte=zoom, min_longitude__lte=east, max_longitude__gte=west,
                min_latitude__lte=north, max_latitude__gte=south)
        .order_by("min_zoom", "pk")
        .values_list("kind", "name", "geometry", "label_min_zoom", "is_sample")[:MAX_FEATURES + 1]
    )
    truncated = len(rows) > MAX_FEATURES
    rows = rows[:MAX_FEATURES]
    geometries = np.array([])
    if rows:
        geometries = shapely.from_wkb([bytes(row[2]) for row in rows])
        # Only what is in view (a road crossing the town is one feature), at this zoom's detail.
        geometries = shapely.clip_by_rect(geometries, west, south, east, north)
        if zoom < FULL_DETAIL_ZOOM:
            # Douglas-Peucker: a hundred times faster than the topology-preserving kind; a shape
            # it breaks is at most a pixel off, and one it empties is left out below.
            geometries = shapely.simplify(geometries, tolerance(zoom), preserve_topology=False)
    labels = _label_points(rows, geometries, zoom)
    features = []
    for index, ((kind, name, _, _, is_sample), geometry) in enumerate(zip(rows, geometries)):
        if geometry.is_empty:
            continue
        properties = {"kind": kind, "name": name, "is_sample": is_sample}
        if index in labels:
            properties["label_at"] = labels[index]
        features.append('{"type":"Feature","geometry":%s,"properties":%s}' % (
            shapely.to_geojson(geometry), json.dumps(properties, ensure_ascii=False)))
    return '{"type":"FeatureCollection","truncated":%s,"features":[%s]}' % (
        json.dumps(truncated), ",".join(features))


def _label_points(rows, geometries, zoom: int) -> dict[int, list[float]]:
    """{feature index: [lon, lat]} of the one feature labelled per name and layer (the longest
    line, the largest area, as far as they are in view): lines half-way along their longest
    part, areas inside."""
    sizes = np.where(shapely.get_dimensions(geometries) == 1, shapely.length(geometries),
                     shapely.area(geometries))
    best: dict[tuple[str, str], int] = {}
    for index, (kind, name, _, label_min_zoom, _) in enumerate(rows):
        if name and zoom >= label_min_zoom and not geometries[index].is_empty:
            key = (kind, name)
            if key not in best or sizes[index] > sizes[best[key]]:
                best[key] = index
    points = {}
    for index in best.values():
        geometry = geometries[index]
        if geometry.geom_type == "MultiLineString":
            geometry = max(geometry.geoms, key=lambda part: part.length)
        if geometry.geom_type == "LineString":
            point = geometry.interpolate(0.5, normalized=True)
        else:
            point = geometry.point_on_surface()
        points[index] = [round(point.x, 6), round(point.y, 6)]
    return points
