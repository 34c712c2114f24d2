"""The two formats of GeoReport v2: JSON arrays and XML documents with the spec's element names
(<services><service>..., <service_requests><request>..., <errors><error>...)."""

import datetime as dt
import json
from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import timezone

CONTENT_TYPES = {"json": "application/json; charset=utf-8",
                 "xml": "application/xml; charset=utf-8"}


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3c(value)
    return "" if value is None else str(value)


def w3c(moment: dt.datetime | None) -> str | None:
    """A moment in the town's time with its offset, e.g. 2025-03-01T10:00:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _json_value(value):
    return w3c(value) if isinstance(value, dt.datetime) else value


def _append(parent, name: str, value) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _append(element, key, inner)
    elif isinstance(value, list):
        # <attributes><attribute>...</attribute></attributes>
        for inner in value:
            _append(element, name.removesuffix("s"), inner)
    else:
        element.text = _text(value)


def respond(fmt: str, body, *, root: str, item: str | None, status: int = 200) -> HttpResponse:
    """`body` is a list of dicts (each an <item> under <root>), or one dict (the <root> itself)."""
    if fmt == "json":
        if isinstance(body, list):
            body = [{k: _json_value(v) for k, v in row.items()} for row in body]
        content = json.dumps(body, ensure_ascii=False)
    else:
        document = ElementTree.Element(root)
        if isinstance(body, list):
            for row in body:
                _append(document, item, row)
        else:
            for key, value in body.items():
                _append(document, key, value)
        content = ElementTree.tostring(document, encoding="unicode", xml_declaration=True)
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, [{"code": status, "description": description}], root="errors",
                   item="error", status=status)
