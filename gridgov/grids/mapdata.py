"""What the map draws: GeoJSON of the grids and places a user may see within a viewport.

Every response is bounded (MAX_GRIDS, MAX_PLACES) and built with a fixed number of queries
whatever the number of features. Personal data of grid staff is masked here.
"""

from collections import defaultdict

from django.db.models import Count, Max, Min
from django.urls import reverse

from gridgov.core import pii
from gridgov.core.errors import Refusal
from gridgov.grids.access import visible_grids, visible_places, visible_staff
from gridgov.grids.models import Grid, PlaceKind

MAX_GRIDS = 2000
MAX_PLACES = 500
MAX_SEARCH_RESULTS = 10


def _kind_labels() -> dict[str, str]:
    return {value: str(label) for value, label in PlaceKind.choices}


def staff_entry(post) -> dict:
    return {
        "id": post.pk,
        "position": post.get_position_display(),
        "line": post.get_line_display(),
        "also_liaison": post.also_liaison,
        "name": pii.mask_name(post.user.name),
        "phone": pii.mask_phone(post.user.phone),
    }


def grid_collection(user, bbox=None, grid_id: int | None = None) -> dict:
    grids = visible_grids(user).select_related("community")
    if bbox:
        grids = grids.in_bbox(*bbox)
    if grid_id is not None:
        grids = grids.filter(pk=grid_id)
    grids = list(grids.order_by("number", "pk")[:MAX_GRIDS + 1])
    truncated = len(grids) > MAX_GRIDS
    grids = grids[:MAX_GRIDS]
    ids = [grid.pk for grid in grids]

    labels = _kind_labels()
    places = defaultdict(dict)
    for row in (visible_places(user).filter(grid_id__in=ids).order_by()
                .values("grid_id", "kind").annotate(count=Count("pk"))):
        places[row["grid_id"]][labels.get(row["kind"], row["kind"])] = row["count"]
    staff = defaultdict(list)
    for post in visible_staff(user).filter(grid_id__in=ids).select_related("user").order_by(
            "grid_id", "position", "pk"):
        staff[post.grid_id].append(staff_entry(post))

    features = [{
        "type": "Feature",
        "geometry": grid.boundary,
        "properties": {
            "id": grid.pk,
            "number": grid.number,
            "name": grid.name,
            "community": grid.community.name,
            "color": grid.community.color,
            "signature_service": grid.signature_service,
            "is_sample": grid.is_sample,
            "url": reverse("grids:grid_detail", args=[grid.pk]),
            "places": places.get(grid.pk, {}),
            "places_total": sum(places.get(grid.pk, {}).values()),
            "staff": staff.get(grid.pk, []),
        },
    } for grid in grids]
    return {"type": "FeatureCollection", "features": features, "truncated": truncated}


def public_outlines(bbox=None) -> dict:
    """Grid outlines for anyone, e.g. a resident placing a problem on the map: the town publishes
    its grids, so this carries their number, name and community, and nothing about people."""
    grids = Grid.objects.select_related("community").only(
        "number", "name", "boundary", "community__name", "community__color")
    if bbox:
        grids = grids.in_bbox(*bbox)
    grids = list(grids.order_by("number", "pk")[:MAX_GRIDS + 1])
    features = [{
        "type": "Feature",
        "geometry": grid.boundary,
        "properties": {"number": grid.number, "name": grid.name,
                       "community": grid.community.name, "color": grid.community.color},
    } for grid in grids[:MAX_GRIDS]]
    return {"type": "FeatureCollection", "features": features,
            "truncated": len(grids) > MAX_GRIDS}


def place_collection(user, bbox=None, grid_id: int | None = None) -> dict:
    if bbox is None and grid_id is None:
        raise Refusal("invalid", "请给出地图范围 bbox 或网格 grid", "bbox")
    places = visible_places(user).select_related("grid")
    if bbox:
        places = places.in_bbox(*bbox)
    if grid_id is not None:
        places = places.filter(grid_id=grid_id)
    places = list(places.order_by("pk")[:MAX_PLACES + 1])
    labels = _kind_labels()
    features = [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [place.longitude, place.latitude]},
        "properties": {
            "id": place.pk,
            "name": place.name,
            "kind": labels.get(place.kind, place.kind),
            "address": place.address,
            "grid": place.grid.name if place.grid else "",
            "is_sample": place.is_sample,
        },
    } for place in places[:MAX_PLACES]]
    return {"type": "FeatureCollection", "features": features,
            "truncated": len(places) > MAX_PLACES}


def extent(user) -> list[float] | None:
    """[west, south, east, north] of every grid the user may see: the map's first view."""
    box = visible_grids(user).aggregate(
        west=Min("min_longitude"), south=Min("min_latitude"),
        east=Max("max_longitude"), north=Max("max_latitude"))
    if box["west"] is None:
        return None
    return [box["west"], box["south"], box["east"], box["north"]]


def search(user, text: str) -> dict:
    text = text.strip()[:50]
    if not text:
        return {"grids": [], "places": []}
    grids = visible_grids(user).search(text).select_related("community").order_by("number")
    places = visible_places(user).search(text).select_related("grid").order_by("name", "pk")
    labels = _kind_labels()
    return {
        "grids": [{
            "id": grid.pk, "number": grid.number, "name": grid.name,
            "community": grid.community.name,
            "bbox": [grid.min_longitude, grid.min_latitude, grid.max_longitude, grid.max_latitude],
        } for grid in grids[:MAX_SEARCH_RESULTS]],
        "places": [{
            "id": place.pk, "name": place.name, "kind": labels.get(place.kind, place.kind),
            "address": place.address, "longitude": place.longitude, "latitude": place.latitude,
            "grid": place.grid.name if place.grid else "",
        } for place in places[:MAX_SEARCH_RESULTS]],
    }
