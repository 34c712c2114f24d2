"""Exports as HTTP downloads, shared by the pages, the API and (without HTTP) the commands.

Each export is audited: who took which town's registry out of the platform, in which format."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from gridgov.core import audit, tabular
from gridgov.grids.io.export import grids_geojson_chunks, places_sheet
from gridgov.grids.models import Grid, Place

PLACE_FORMATS = ("csv", "xlsx")


def _filename(town, what: str, extension: str) -> str:
    return f"{town.name}-{what}-{timezone.localdate():%Y%m%d}.{extension}"


def grids_download(town, *, actor) -> StreamingHttpResponse:
    audit.record("grids.grid.exported", actor=actor, target=town, changes={"format": "geojson"})
    response = StreamingHttpResponse(grids_geojson_chunks(Grid.objects.filter(town=town)),
                                     content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, _filename(town, "网格", "geojson"))
    return response


def places_download(town, fmt: str, *, actor):
    if fmt not in PLACE_FORMATS:
        raise ValueError(fmt)
    audit.record("grids.place.exported", actor=actor, target=town, changes={"format": fmt})
    sheet = places_sheet(Place.objects.filter(town=town))
    filename = _filename(town, "地点", fmt)
    if fmt == "csv":
        return tabular.csv_response(sheet, filename)
    return tabular.xlsx_response([sheet], filename)
