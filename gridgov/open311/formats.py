"""The two formats of GeoReport v2: JSON arrays and XML documents with the spec's element names
(<services><service>..., <service_requests><request>..., <errors><error>...).

A request list is a thousand rows of seventeen values, so both formats are written in one pass
over plain values: JSON by the standard library's C encoder, XML as escaped strings joined once
(an ElementTree of 18,000 elements cost more than the query and the rest of the view together).
"""

import datetime as dt
import json
import re

from django.db.models import CharField, Func
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise

CONTENT_TYPES = {"json": "application/json; charset=utf-8",
                 "xml": "application/xml; charset=utf-8"}
XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
# Characters XML 1.0 cannot carry at all, not even as a character reference (a control
# character pasted into a description): the document drops them rather than be ill-formed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def w3c(moment: dt.datetime | None) -> str | None:
    """A moment in the town's time with its offset, e.g. 2025-03-01T10:00:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


class UtcText(Func):
    """A moment read as the text of its UTC time (2025-03-01 02:00:00), for w3c_from_utc_text():
    the database writes it for next to nothing, where building a datetime object from each of
    the three thousand moments of a request list (psycopg, Django's SQLite converter) cost a
    third of the view. SQLite already stores a moment as exactly that text."""

    output_field = CharField()
    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"

    def as_sqlite(self, compiler, connection, **extra):
        # The cast only hides the column's declared type, from which the driver would parse it.
        return super().as_sql(compiler, connection, template="CAST(%(expressions)s AS text)")


def w3c_from_utc_text():
    """w3c() for the text of UtcText(), with the current time zone looked up once."""
    zone, utc, parse = timezone.get_current_timezone(), dt.timezone.utc, dt.datetime.fromisoformat

    def format_moment(text: str | None) -> str | None:
        if not text:
            return None
        return parse(text).replace(tzinfo=utc).astimezone(zone).isoformat(timespec="seconds")

    return format_moment


def xml_escape(text: str) -> str:
    """Text for an element's content. A literal carriage return would come back from any XML
    parser as a line feed, so it travels as a character reference."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _xml_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return xml_escape(value)
    if isinstance(value, dt.datetime):
        return w3c(value)
    if isinstance(value, (int, float)):
        return str(value)
    return xml_escape(str(value))  # a lazy translation, a Decimal...


def _xml_element(parts: list, name: str, value) -> None:
    if isinstance(value, (dict, list)) and not value:
        parts.append(f"<{name} />")
    elif isinstance(value, dict):
        parts.append(f"<{name}>")
        for key, inner in value.items():
            _xml_element(parts, key, inner)
        parts.append(f"</{name}>")
    elif isinstance(value, list):
        # <attributes><attribute>...</attribute></attributes>
        parts.append(f"<{name}>")
        for inner in value:
            _xml_element(parts, name.removesuffix("s"), inner)
        parts.append(f"</{name}>")
    else:
        text = _xml_text(value)
        parts.append(f"<{name}>{text}</{name}>" if text else f"<{name} />")


def _xml_rows(parts: list, item: str, rows: list[dict]) -> None:
    """Flat rows (the request list): _xml_element's leaf case inlined, since it runs for every
    value of a thousand rows; nested values still go through _xml_element."""
    append = parts.append
    opening, closing = f"<{item}>", f"</{item}>"
    for row in rows:
        append(opening)
        for name, value in row.items():
            if value.__class__ is str:
                if not value:
                    append(f"<{name} />")
                    continue
                if "&" in value or "<" in value or ">" in value or "\r" in value:
                    value = xml_escape(value)
                append(f"<{name}>{value}</{name}>")
            elif value is None:
                append(f"<{name} />")
            elif value.__class__ in (int, float):
                append(f"<{name}>{value}</{name}>")
            else:
                _xml_element(parts, name, value)
        append(closing)


def xml_document(body, *, root: str, item: str | None) -> str:
    parts = [XML_DECLARATION, f"<{root}>"]
    if isinstance(body, list):
        _xml_rows(parts, item, body)
    else:
        for key, value in body.items():
            _xml_element(parts, key, value)
    parts.append(f"</{root}>")
    document = "".join(parts)
    # One scan of the whole document is cheaper than a regular expression for every value.
    return NOT_XML.sub("", document) if NOT_XML.search(document) else document


def _json_default(value):
    """What the C encoder cannot write itself: a moment as the spec's W3C text, a lazy
    translation as its text."""
    if isinstance(value, dt.datetime):
        return w3c(value)
    if isinstance(value, Promise):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a GeoReport value")


def json_document(body) -> str:
    return json.dumps(body, ensure_ascii=False, default=_json_default)


def respond(fmt: str, body, *, root: str, item: str | None, status: int = 200) -> HttpResponse:
    """`body` is a list of dicts (each an <item> under <root>), or one dict (the <root> itself)."""
    content = (json_document(body) if fmt == "json"
               else xml_document(body, root=root, item=item))
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, [{"code": status, "description": description}], root="errors",
                   item="error", status=status)
