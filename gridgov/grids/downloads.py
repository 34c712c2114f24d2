"""Exports as HTTP downloads, shared by the pages, the API and (without HTTP) the commands.

Each export is audited: who took which town's registry out of the platform, in which format."""

import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from gridgov.core import audit
from gridgov.grids.io.export import grids_geojson_chunks, places_csv_chunks, write_places_xlsx
from gridgov.grids.models import Grid, Place

PLACE_FORMATS = ("csv", "xlsx")


def _filename(town, what: str, extension: str) -> str:
    return f"{town.name}-{what}-{timezone.localdate():%Y%m%d}.{extension}"


def grids_download(town, *, actor) -> StreamingHttpResponse:
    audit.record("grids.grid.exported", actor=actor, target=town, changes={"format": "geojson"})
    response = StreamingHttpResponse(grids_geojson_chunks(Grid.objects.filter(town=town)),
                                     content_type="application/geo+json; charset=utf-8")
    return _attach(response, _filename(town, "网格", "geojson"))


def places_download(town, fmt: str, *, actor):
    if fmt not in PLACE_FORMATS:
        raise ValueError(fmt)
    audit.record("grids.place.exported", actor=actor, target=town, changes={"format": fmt})
    places = Place.objects.filter(town=town)
    if fmt == "csv":
        response = StreamingHttpResponse(places_csv_chunks(places),
                                         content_type="text/csv; charset=utf-8")
        return _attach(response, _filename(town, "地点", "csv"))
    # An .xlsx is a zip that is only complete at the end: it is written (write-only, flat memory)
    # to a temporary file that the response then streams.
    target = tempfile.TemporaryFile()
    write_places_xlsx(places, target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=_filename(town, "地点", "xlsx"),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _attach(response, filename: str):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
