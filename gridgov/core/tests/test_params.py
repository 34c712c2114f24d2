"""The query-parameter parsers (gridgov.core.params): what each accepts and what it refuses."""

import datetime as dt

import pytest

from gridgov.core import params
from gridgov.core.errors import Refusal


@pytest.mark.parametrize("parser, value", [
    (params.ident, "99999999999999999999"), (params.ident, "0"), (params.ident, "-3"),
    (params.ident, "1e3"), (params.ident, "１２"), (params.day, "9999-12-31"),
    (params.day, "0001-01-01"), (params.day, "2026-13-45"), (params.day, "2026-02-30"),
    (params.moment, "2026-03-01T00:00:00-15:00"), (params.moment, "0001-01-01T00:00:00-14:00"),
    (params.moment, "2026-03-01T24:00:00Z"), (params.text, "abc\x00"), (params.text, "x" * 201),
    (params.cursor, "9999-12-31T00:00:00+00:00~1"), (params.cursor, "2026-03-01T00:00:00Z"),
    (params.page_number, "99999999999999999999"), (params.page_number, "0"),
    (params.bbox, "nan,31,122,32"), (params.bbox, "1,2,3"), (params.zoom, "23"),
    (params.flag, "maybe"),
])
def test_bad_values_are_refused_with_a_chinese_message_on_their_field(parser, value):
    with pytest.raises(Refusal) as refused:
        parser(value, "field")
    assert refused.value.status == 400 and refused.value.field == "field"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)


def test_good_values_are_parsed():
    assert params.ident("42", "id") == 42 and params.ident("", "id") is None
    assert params.day("2026-03-01", "d") == dt.date(2026, 3, 1)
    moment = params.moment("2026-03-01T08:00:00-14:00", "m")
    assert moment.utcoffset() == -dt.timedelta(hours=14)
    assert params.moment("2026-03-01", "m").tzinfo is not None
    assert params.cursor("2026-03-01T08:00:00+08:00~7")[1] == 7
    assert params.bbox("121,31,122,32") == (121.0, 31.0, 122.0, 32.0)
    assert params.zoom("15.4") == 15 and params.page_number(None) == 1
    assert params.text("  井盖 ", "q") == "井盖"


def test_a_nul_in_any_parameter_of_any_page_is_refused(client, db):
    response = client.get("/", {"anything": "a\x00b"})
    assert response.status_code == 400 and "控制字符" in response.content.decode()
    response = client.get("/grids/map/outlines.geojson", {"bbox": "\x00"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "bbox"
