"""Every query parameter of every list, map, export and API, parsed and bounded here.

A parser takes the raw text of one parameter (or None when absent) and its name, and returns
the typed value, or the default when the parameter is empty; anything else raises
`Refusal("invalid_parameter", <Chinese message>, <name>)`, which pages show as a 400 page with the
message (`RefusalMiddleware`), the API as its structured error and Open311 as the spec's
error list. No parser lets a value through that the database or Python's date arithmetic could
choke on: ids fit a signed 64-bit column, dates and moments lie between EARLIEST_DAY and
LATEST_DAY (so a day added or an offset applied stays representable), text carries no NUL or
other control character and has a length limit, numbers are finite and bounded.

Pages whose filters are Django forms use the form fields below (DayField, RowChoiceField,
SearchField), which call the same parsers; the API's query parameters use the annotated types
(ApiId, ApiDay, ApiText...), whose validators call them too.
"""

import datetime as dt
import math
import re
from typing import Annotated

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import BeforeValidator

from gridgov.core.errors import Refusal
from gridgov.core.inputs import CONTROL  # the one definition of a character never accepted

CODE = "invalid_parameter"
# Row ids are positive and fit a signed 64-bit column (SQLite's INTEGER, PostgreSQL's bigint).
MAX_ID = 2**63 - 1
# The dates anyone may ask about: the platform's records start after 2000, and a day or a
# fourteen-hour offset added to LATEST_DAY is still a date Python and the databases can hold.
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2099, 12, 31)
# The longest text any parameter may carry, unless its parser is told less.
MAX_TEXT = 200
# The furthest page a numbered list goes to (lists that go further page by cursor).
MAX_PAGE = 10_000
# UTC offsets that exist (−12:00 … +14:00); "-14:00" is allowed since ISO 8601 allows it.
MAX_OFFSET = dt.timedelta(hours=14)
DIGITS = re.compile(r"^[0-9]{1,19}$")
ISO_DAY = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
ISO_MOMENT = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?$")


def refuse(name: str, message) -> Refusal:
    return Refusal(CODE, message, name)


def _raw(value, name: str) -> str:
    """The parameter as text: absent is "", a list (a repeated parameter) its last value."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    value = str(value)
    if CONTROL.search(value):
        raise refuse(name, _("%(name)s 含有不允许的控制字符") % {"name": name})
    if len(value) > 4 * MAX_TEXT:
        raise refuse(name, _("%(name)s 过长") % {"name": name})
    return value.strip()


def text(value, name: str, *, max_length: int = MAX_TEXT, default: str = "") -> str:
    """Free text (a search): trimmed, at most `max_length` characters, no control character."""
    value = _raw(value, name)
    if len(value) > max_length:
        raise refuse(name, _("%(name)s 最多%(max)d个字") % {"name": name, "max": max_length})
    return value or default


def ident(value, name: str, *, default: int | None = None) -> int | None:
    """A row's id: 1 … MAX_ID, ASCII digits only."""
    value = _raw(value, name)
    if not value:
        return default
    if not DIGITS.match(value) or not 1 <= int(value) <= MAX_ID:
        raise refuse(name, _("%(name)s 应为正整数编号") % {"name": name})
    return int(value)


def whole(value, name: str, *, minimum: int, maximum: int, default: int | None = None) -> int | None:
    """A whole number between `minimum` and `maximum` (a page size, a zoom level)."""
    value = _raw(value, name)
    if not value:
        return default
    if not re.match(r"^-?[0-9]{1,19}$", value) or not minimum <= int(value) <= maximum:
        raise refuse(name, _("%(name)s 应为 %(min)d 到 %(max)d 之间的整数") % {
            "name": name, "min": minimum, "max": maximum})
    return int(value)


def page_number(value, name: str = "page") -> int:
    """A list's page: 1 … MAX_PAGE; 1 when absent."""
    return whole(value, name, minimum=1, maximum=MAX_PAGE, default=1)


def number(value, name: str, *, minimum: float, maximum: float,
           default: float | None = None) -> float | None:
    """A finite decimal number between `minimum` and `maximum` (a longitude, a zoom)."""
    value = _raw(value, name)
    if not value:
        return default
    try:
        parsed = float(value) if len(value) <= 40 else math.nan
    except ValueError:
        parsed = math.nan
    if not math.isfinite(parsed) or not minimum <= parsed <= maximum:
        raise refuse(name, _("%(name)s 超出范围：应为 %(min)s 到 %(max)s 之间的数") % {
            "name": name, "min": f"{minimum:g}", "max": f"{maximum:g}"})
    return parsed


def flag(value, name: str) -> bool:
    """Yes or no: "1", "true", "on", "yes" or "0", "false", "off", "no", "" (no)."""
    value = _raw(value, name).lower()
    if value in ("1", "true", "on", "yes"):
        return True
    if value in ("", "0", "false", "off", "no"):
        return False
    raise refuse(name, _("%(name)s 应为 1 或 0") % {"name": name})


def choice(value, name: str, choices, *, default: str = "") -> str:
    """One of `choices` (values, or (value, label) pairs)."""
    value = _raw(value, name)
    if not value:
        return default
    allowed = {str(c[0]) if isinstance(c, (list, tuple)) else str(c) for c in choices}
    if value not in allowed:
        raise refuse(name, _("%(name)s 的取值无效") % {"name": name})
    return value


def _bounded_day(year: int, month: int, day: int, name: str) -> dt.date:
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        raise refuse(name, _("%(name)s 不是有效的日期") % {"name": name}) from None
    if not EARLIEST_DAY <= parsed <= LATEST_DAY:
        raise refuse(name, _("%(name)s 应在 %(first)s 到 %(last)s 之间") % {
            "name": name, "first": EARLIEST_DAY.isoformat(), "last": LATEST_DAY.isoformat()})
    return parsed


def day(value, name: str, *, default: dt.date | None = None) -> dt.date | None:
    """A calendar day, YYYY-MM-DD, between EARLIEST_DAY and LATEST_DAY."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return _bounded_day(value.year, value.month, value.day, name)
    value = _raw(value, name)
    if not value:
        return default
    match = ISO_DAY.match(value)
    if not match:
        raise refuse(name, _("%(name)s：日期格式应为 年-月-日，如 2026-03-01") % {"name": name})
    return _bounded_day(int(match[1]), int(match[2]), int(match[3]), name)


def moment(value, name: str, *, default: dt.datetime | None = None) -> dt.datetime | None:
    """A moment in ISO 8601 / W3C form (a day alone means its local midnight), with an offset
    of at most fourteen hours; aware, within the days `day()` accepts."""
    value = _raw(value, name)
    if not value:
        return default
    if ISO_DAY.match(value):
        return timezone.make_aware(dt.datetime.combine(day(value, name), dt.time.min))
    match = ISO_MOMENT.match(value)
    if not match:
        raise refuse(name, _("%(name)s 应为 W3C 日期时间，如 2026-03-01T08:00:00+08:00") % {
            "name": name})
    on = _bounded_day(int(match[1]), int(match[2]), int(match[3]), name)
    hour, minute, second = int(match[4]), int(match[5]), int(match[6] or 0)
    fraction = int((match[7] or "0").ljust(6, "0"))
    if hour > 23 or minute > 59 or second > 59:
        raise refuse(name, _("%(name)s 的时刻无效") % {"name": name})
    naive = dt.datetime.combine(on, dt.time(hour, minute, second, fraction))
    if not match[8]:
        return timezone.make_aware(naive)  # the town's local time
    if match[8] == "Z":
        return naive.replace(tzinfo=dt.UTC)
    digits = match[8][1:].replace(":", "")
    offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if offset > MAX_OFFSET or int(digits[2:]) > 59:
        raise refuse(name, _("%(name)s 的时区偏移应在 ±14:00 以内") % {"name": name})
    return naive.replace(tzinfo=dt.timezone(-offset if match[8][0] == "-" else offset))


def cursor(value, name: str = "cursor") -> tuple[dt.datetime, int] | None:
    """A keyset cursor, "<moment>~<id>" (what a list gave as its next page), or None."""
    value = _raw(value, name)
    if not value:
        return None
    when, _sep, pk = value.partition("~")
    try:
        parsed = (moment(when, name), ident(pk, name))
    except Refusal:
        parsed = (None, None)
    if None in parsed:
        raise refuse(name, _("%(name)s 无效，请从第一页重新浏览") % {"name": name})
    return parsed


def bbox(value, name: str = "bbox", *, max_span: float | None = None,
         strict: bool = False) -> tuple[float, float, float, float] | None:
    """"west,south,east,north" in degrees, or None when absent; `strict`: west < east and
    south < north (a map's viewport); `max_span`: at most that many degrees wide and high."""
    value = _raw(value, name)
    if not value:
        return None
    parts = value.split(",")
    message = _("%(name)s 应为 西,南,东,北 四个经纬度数值") % {"name": name}
    if len(parts) != 4:
        raise refuse(name, message)
    west, east = (number(parts[i], name, minimum=-180, maximum=180) for i in (0, 2))
    south, north = (number(parts[i], name, minimum=-90, maximum=90) for i in (1, 3))
    if None in (west, south, east, north):
        raise refuse(name, message)
    if (west > east or south > north) or (strict and (west == east or south == north)):
        raise refuse(name, _("%(name)s 应为 西<东、南<北 的经纬度") % {"name": name})
    if max_span is not None and (east - west > max_span or north - south > max_span):
        raise refuse(name, _("范围过大，请放大地图"))
    return west, south, east, north


def zoom(value, name: str = "zoom", *, required: bool = True) -> int | None:
    """A map's zoom level, 0 … 22 (a fraction is rounded: Leaflet zooms smoothly)."""
    parsed = number(value, name, minimum=0, maximum=22)
    if parsed is None:
        if required:
            raise refuse(name, _("请提供 %(name)s（0–22）") % {"name": name})
        return None
    return round(parsed)


def day_range(start: dt.date | None, end: dt.date | None, *, start_name: str = "date_from",
              end_name: str = "date_to") -> None:
    """Refuses a period that ends before it starts."""
    if start and end and start > end:
        raise Refusal("bad_period", _("结束日期不能早于开始日期"), end_name)


# ----- Django form fields ------------------------------------------------------------------

def _as_validation_error(refusal: Refusal) -> forms.ValidationError:
    return forms.ValidationError(refusal.message, code=refusal.code)


class DayField(forms.DateField):
    """A form's date, parsed by `day()`: YYYY-MM-DD within the accepted years."""

    def to_python(self, value):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return day(value, str(self.label or "日期"))
        except Refusal as refusal:
            raise _as_validation_error(refusal) from None


class RowChoiceField(forms.ModelChoiceField):
    """A form's choice of a row by id: refused as not found unless `ident()` accepts it, before
    the database is asked."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            ident(value, "id")
        except Refusal:
            raise forms.ValidationError(self.error_messages["invalid_choice"],
                                        code="invalid_choice") from None
        return super().to_python(value)


class SearchField(forms.CharField):
    """A search box: text() with the field's max_length."""

    def to_python(self, value):
        try:
            return text(value, str(self.label or "q"), max_length=self.max_length or MAX_TEXT)
        except Refusal as refusal:
            raise _as_validation_error(refusal) from None


# ----- the API's query parameters (django-ninja / pydantic) --------------------------------
# The validators raise Refusal, which pydantic lets through (it wraps only ValueError and
# AssertionError), so that the API answers 400 with the parser's message.

def _api(parser, **options):
    def validate(value, info):
        return parser(value, info.field_name or "", **options)

    return BeforeValidator(validate)


ApiId = Annotated[int | None, _api(ident)]
ApiDay = Annotated[dt.date | None, _api(day)]
ApiFlag = Annotated[bool, _api(flag)]


def ApiText(max_length: int = MAX_TEXT):  # noqa: N802 - used as a type
    return Annotated[str, _api(text, max_length=max_length)]


def ApiNumber(minimum: float, maximum: float):  # noqa: N802 - used as a type
    return Annotated[float, _api(number, minimum=minimum, maximum=maximum)]


def api_pages():
    """django-ninja's page-number pagination with the page bounded by MAX_PAGE (a page number
    past SQLite's integers would otherwise reach the database as an OFFSET)."""
    from ninja import Field, Schema
    from ninja.pagination import PageNumberPagination

    class BoundedPageNumberPagination(PageNumberPagination):
        class Input(Schema):
            page: int = Field(1, ge=1, le=MAX_PAGE)
            page_size: int | None = Field(None, ge=1, le=MAX_PAGE)

    return BoundedPageNumberPagination
