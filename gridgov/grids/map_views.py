"""The grid map page and the GeoJSON it draws from."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from gridgov.core import params
from gridgov.core.errors import Refusal, refusal_response
from gridgov.grids import basemap, mapdata
from gridgov.grids.access import registry_reader

# Places appear from this zoom level on (a street or two on a phone screen).
PLACES_MIN_ZOOM = 15


LABELS = {
    "community": _("居民区"),
    "signature": _("一格一最"),
    "staff": _("网格人员"),
    "noStaff": _("暂无人员"),
    "places": _("地点"),
    "noPlaces": _("暂无地点"),
    "detail": _("查看详情"),
    "liaison": _("兼联络员"),
    "number": _("编号"),
    "legend": _("居民区"),
    "zoomForPlaces": _("放大地图以显示地点"),
    "placesTruncated": _("地点较多，仅显示一部分，请放大地图"),
    "gridsTruncated": _("网格较多，仅显示一部分，请放大地图"),
    "noResults": _("没有找到匹配的网格或地点"),
    "loadFailed": _("地图数据加载失败，请稍后重试"),
    "sample": _("示例"),
}


def map_config(user, grid=None) -> dict:
    """What static/grids/map.js needs; with a grid, a small map of that grid alone."""
    if grid is not None:
        extent = [grid.min_longitude, grid.min_latitude, grid.max_longitude, grid.max_latitude]
    else:
        extent = mapdata.extent(user)
    return {
        "extent": extent,
        "grid": grid.pk if grid is not None else None,
        "gridsUrl": reverse("grids:map_grids"),
        "placesUrl": reverse("grids:map_places"),
        "searchUrl": reverse("grids:map_search"),
        "placesMinZoom": 0 if grid is not None else PLACES_MIN_ZOOM,
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "labels": {key: str(label) for key, label in LABELS.items()},
    }


@registry_reader
def grid_map(request):
    return render(request, "grids/map.html", {"map_config": map_config(request.user)})


def _grid_param(request) -> int | None:
    return params.ident(request.GET.get("grid"), "grid")


@registry_reader
def map_grids(request):
    try:
        data = mapdata.grid_collection(request.user, params.bbox(request.GET.get("bbox")),
                                       _grid_param(request))
    except Refusal as refusal:
        return refusal_response(refusal)
    return JsonResponse(data)


@registry_reader
def map_places(request):
    try:
        data = mapdata.place_collection(request.user, params.bbox(request.GET.get("bbox")),
                                        _grid_param(request))
    except Refusal as refusal:
        return refusal_response(refusal)
    return JsonResponse(data)


@require_GET
@cache_control(public=True, max_age=300)
def public_outlines(request):
    try:
        data = mapdata.public_outlines(params.bbox(request.GET.get("bbox")))
    except Refusal as refusal:
        return refusal_response(refusal)
    return JsonResponse(data)


@registry_reader
def map_search(request):
    try:
        query = params.text(request.GET.get("q"), "q", max_length=50)
    except Refusal as refusal:
        return refusal_response(refusal)
    return JsonResponse(mapdata.search(request.user, query))


@require_GET
@cache_control(public=True, max_age=3600)
def basemap_features(request):
    """The town's base map for a viewport and zoom: public, like the streets it shows."""
    try:
        bbox = params.bbox(request.GET.get("bbox"))
        if bbox is None:
            raise Refusal("required", "请给出地图范围 bbox", "bbox")
        data = basemap.features_in_view(bbox, params.zoom(request.GET.get("zoom")))
    except Refusal as refusal:
        return refusal_response(refusal)
    return HttpResponse(data, content_type="application/json")
