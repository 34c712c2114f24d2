"""Every query parameter of every list, map, export and API endpoint, thrown arbitrary text:
never a 5xx (issue 9, finding 6). The values the probe found first are tried on every parameter
each run; hypothesis adds generated text on top. Parsing lives in gridgov.core.params."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.cases.tests.factories import CaseWorld

# The values that gave 500s when the platform was probed.
NASTY = ["9999-12-31", "0001-01-01", "2026-13-45", "2026-02-30", "2026-03-01T00:00:00-14:00",
         "0001-01-01T00:00:00-14:00", "9999-12-31T23:59:59+14:00", "2026-03-01T25:00:00+08:00",
         "99999999999999999999", "-1", "0", "1e309", "nan", "inf", "-inf", "%00abc", "\x00abc",
         "abc\x00", '"unbalanced', "a\"b'c(", "*", "NEAR(", "OR", "9999-12-31T00:00:00+00:00~1",
         "2026-01-01T00:00:00+08:00~99999999999999999999", "~", "1,2,3", "181,0,182,1",
         "0,0,0,0", "120,30,121,31", "-180,-90,180,90", "1" * 500, "中文", " ", "true", "on"]

TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)


def endpoints(world) -> list[tuple[str, str, tuple[str, ...]]]:
    """(who asks, url, its query parameters) for every list, map, export and API endpoint."""
    jid = f"{world.town.district_code}{world.town.code}"
    case_filters = ("q", "state", "category", "grid", "department", "overdue", "date_from",
                    "date_to")
    indicator = ("start", "end", "grouping", "community", "category", "rate")
    return [
        ("operator", "/cases/workbench/", ("queue", "after", "sort", "view", *case_filters)),
        ("operator", "/cases/map/data/", ("bbox", "zoom", *case_filters)),
        ("resident", "/cases/mine/", ("after",)),
        ("anonymous", "/cases/track/", ("code",)),
        ("operator", "/indicators/", indicator),
        ("operator", "/indicators/indicators.xlsx", indicator),
        ("operator", "/indicators/cases.csv", indicator),
        ("operator", "/api/indicators/", ("grouping", "start", "end", "grid", "community",
                                         "department", "category")),
        ("operator", "/api/cases/", (*case_filters, "community", "cursor", "page_size")),
        ("admin", "/grids/list/", ("q", "community", "page")),
        ("admin", "/grids/places/", ("q", "kind", "grid", "community", "page")),
        ("admin", "/grids/staff/", ("grid", "position", "line", "community", "page")),
        ("admin", "/grids/map/grids.geojson", ("bbox", "grid")),
        ("admin", "/grids/map/places.geojson", ("bbox", "grid")),
        ("admin", "/grids/map/search", ("q",)),
        ("anonymous", "/grids/map/outlines.geojson", ("bbox",)),
        ("anonymous", "/grids/map/basemap.geojson", ("bbox", "zoom")),
        ("admin", "/api/grids/", ("community", "q", "page", "page_size")),
        ("admin", "/api/grids/places", ("kind", "grid", "community", "q", "bbox", "page")),
        ("admin", "/api/grids/staff", ("grid", "community", "page")),
        ("admin", "/api/grids/locate", ("lon", "lat")),
        ("anonymous", "/api/grids/addresses", ("q",)),
        ("anonymous", "/api/grids/addresses/nearest", ("lon", "lat")),
        ("anonymous", "/open311/v2/services.json", ("jurisdiction_id",)),
        ("anonymous", "/open311/v2/requests.json",
         ("jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date",
          "status")),
        ("anonymous", "/open311/v2/requests.xml", ("jurisdiction_id", "start_date", "end_date")),
        ("anonymous", f"/open311/v2/requests/X1.json?jurisdiction_id={jid}", ()),
    ]


@pytest.fixture
def probe(db, settings):
    settings.GRIDGOV_TWO_FACTOR = False
    world = CaseWorld.build()
    world.report()
    clients = {"anonymous": Client()}
    for name in ("operator", "admin", "resident"):
        clients[name] = Client()
        clients[name].force_login(getattr(world, name))

    def ask(who: str, url: str, params: dict) -> int:
        response = clients[who].get(url, params)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)  # a download must not break off midway
        assert response.status_code < 500, (url, params, response.status_code)
        return response.status_code

    return world, ask


def test_every_parameter_refuses_the_values_that_once_gave_500s(probe):
    world, ask = probe
    for who, url, names in endpoints(world):
        for name in names:
            for value in NASTY:
                status = ask(who, url, {name: value})
                if "\x00" in value:
                    assert status in (400, 404, 422), (url, name, status)


def test_each_endpoint_answers_well_formed_requests(probe):
    """The probe reaches the views: with no parameter, each endpoint answers (not a refusal)."""
    world, ask = probe
    jid = f"{world.town.district_code}{world.town.code}"
    for who, url, _names in endpoints(world):
        params = {"jurisdiction_id": jid} if url.startswith("/open311/") and "?" not in url else {}
        if url.endswith(("basemap.geojson",)):
            params = {"bbox": "121.3,31.1,121.4,31.2", "zoom": "15"}
        if url.endswith(("locate", "nearest")):
            params = {"lon": "121.35", "lat": "31.2"}
        if url.endswith("places.geojson"):
            params = {"grid": str(world.grid_a1.pk)}
        if url.endswith("addresses"):
            params = {"q": "新渔东路"}
        if url.endswith("/map/data/"):
            params = {"bbox": "121.3,31.1,121.4,31.2", "zoom": "15"}
        assert ask(who, url, params) in (200, 404), url


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_arbitrary_text_in_any_parameter_never_gives_a_5xx(probe, data):
    world, ask = probe
    who, url, names = data.draw(st.sampled_from([e for e in endpoints(world) if e[2]]))
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    params = {name: data.draw(st.one_of(st.sampled_from(NASTY), TEXT)) for name in chosen}
    ask(who, url, params)


@pytest.mark.parametrize("field", ["description", "address", "reporter_name"])
def test_a_nul_in_posted_text_is_refused_and_nothing_stored(world, field):
    from gridgov.cases.models import Case
    from gridgov.core.errors import Refusal

    with pytest.raises(Refusal) as refused:
        world.report(**{field: "示例：路口有人占道\x00摆摊"})
    assert refused.value.field == field and "控制字符" in refused.value.message
    assert not Case.objects.exists()
