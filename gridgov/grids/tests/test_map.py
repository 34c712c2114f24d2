import json

import pytest
from django.urls import reverse

from gridgov.grids import mapdata
from gridgov.grids.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

BBOX = "120.9,30.9,121.1,31.1"


def get_json(client, user, name, **params):
    client.force_login(user)
    response = client.get(reverse(name), params)
    return response, response.json() if response["Content-Type"].startswith("application/json") else None


@pytest.mark.parametrize("role", ["admin", "operator", "leader", "community_operator", "grid_staff",
                                  "handler"])
def test_every_registry_role_opens_the_map(client, users, role):
    client.force_login(getattr(users, role))
    response = client.get(reverse("grids:map"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/leaflet/leaflet.js" in html and "/static/grids/map.js" in html
    assert "//unpkg" not in html and "cdn" not in html.lower()
    assert 'id="map-config"' in html
    assert response.context["map_config"]["tileUrl"] == ""


def test_the_map_opens_on_the_grids_the_user_may_see(client, town, users):
    client.force_login(users.community_operator)
    config = client.get(reverse("grids:map")).context["map_config"]
    assert config["extent"] == pytest.approx([121.02, 31.0, 121.03, 31.01])


def test_a_tile_layer_only_when_a_tile_server_is_configured(client, users, settings):
    settings.MAP_TILE_URL = "http://tiles.local/{z}/{x}/{y}.png"
    client.force_login(users.admin)
    assert client.get(reverse("grids:map")).context["map_config"]["tileUrl"] == settings.MAP_TILE_URL


def test_leaflet_is_served_from_the_package(client):
    from django.contrib.staticfiles import finders

    assert finders.find("leaflet/leaflet.js") and finders.find("leaflet/leaflet.css")


def test_a_role_outside_the_registry_is_refused(client, town):
    from gridgov.grids.tests.factories import staff

    client.force_login(staff("deputy", town.town))
    assert client.get(reverse("grids:map")).status_code == 403
    assert client.get(reverse("grids:map_grids")).status_code == 403


def test_a_resident_is_refused_and_a_visitor_sent_to_log_in(client, users):
    assert client.get(reverse("grids:map")).status_code == 302
    assert client.get(reverse("grids:map_grids")).status_code == 302
    client.force_login(users.resident)
    assert client.get(reverse("grids:map")).status_code == 403
    assert client.get(reverse("grids:map_grids"), {"bbox": BBOX}).status_code == 403
    assert client.get(reverse("grids:map_places"), {"bbox": BBOX}).status_code == 403
    assert client.get(reverse("grids:map_search"), {"q": "大楼"}).status_code == 403


@pytest.mark.parametrize("role, numbers", [
    ("admin", [1, 2, 3]), ("handler", [1, 2, 3]), ("community_operator", [3]), ("grid_staff", [1]),
    ("other_admin", []),
])
def test_grid_layer_holds_only_the_grids_in_scope(client, users, role, numbers):
    _, data = get_json(client, getattr(users, role), "grids:map_grids", bbox=BBOX)
    assert [f["properties"]["number"] for f in data["features"]] == numbers


def test_grid_popup_data_masks_staff_and_counts_places(client, town, users):
    PlaceFactory(grid=town.a, kind="shop")
    _, data = get_json(client, users.handler, "grids:map_grids", bbox=BBOX)
    first = data["features"][0]["properties"]
    assert first["community"] == "绿八居民区" and first["color"] == "#2563eb"
    assert first["places"] == {"楼宇": 1, "商铺": 1} and first["places_total"] == 2
    [post] = first["staff"]
    assert post["name"] == "夏*宾" and post["position"] == "网格长"
    assert post["phone"].count("*") == 4 and town.posts[1].user.phone not in json.dumps(data)
    assert first["url"] == reverse("grids:grid_detail", args=[town.a.pk])


def test_grid_layer_is_cut_to_the_viewport(client, users):
    _, data = get_json(client, users.admin, "grids:map_grids", bbox="121.012,31.001,121.013,31.002")
    assert [f["properties"]["number"] for f in data["features"]] == [2]


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "121,31,120,32", "0,-91,1,0"])
def test_a_bad_viewport_is_a_clear_400(client, users, bbox):
    response, data = get_json(client, users.admin, "grids:map_grids", bbox=bbox)
    assert response.status_code == 400
    assert data["errors"][0]["field"] == "bbox"


def test_places_need_a_viewport_or_a_grid(client, users):
    response, data = get_json(client, users.admin, "grids:map_places")
    assert response.status_code == 400 and data["errors"][0]["field"] == "bbox"


def test_place_layer_is_scoped_and_bounded(client, town, users, monkeypatch):
    _, data = get_json(client, users.grid_staff, "grids:map_places", bbox=BBOX)
    assert [f["properties"]["name"] for f in data["features"]] == ["第一网格大楼"]
    monkeypatch.setattr(mapdata, "MAX_PLACES", 2)
    _, data = get_json(client, users.admin, "grids:map_places", bbox=BBOX)
    assert len(data["features"]) == 2 and data["truncated"] is True
    _, data = get_json(client, users.admin, "grids:map_places", grid=town.b.pk)
    assert [f["properties"]["grid"] for f in data["features"]] == ["第二网格"]
    assert data["truncated"] is False


def test_search_finds_grids_and_places_in_scope_with_where_to_pan(client, town, users):
    _, data = get_json(client, users.admin, "grids:map_search", q="第二")
    assert [g["name"] for g in data["grids"]] == ["第二网格"]
    assert data["grids"][0]["bbox"] == pytest.approx([121.01, 31.0, 121.02, 31.01])
    assert [p["name"] for p in data["places"]] == ["第二网格大楼"]
    _, data = get_json(client, users.admin, "grids:map_search", q="天山路3号")
    assert data["places"][0]["longitude"] == pytest.approx(121.025)
    _, data = get_json(client, users.grid_staff, "grids:map_search", q="网格")
    assert [g["name"] for g in data["grids"]] == ["第一网格"]
    assert [p["name"] for p in data["places"]] == ["第一网格大楼"]
    _, data = get_json(client, users.admin, "grids:map_search", q="3")
    assert [g["number"] for g in data["grids"]] == [3]


@pytest.mark.parametrize("typed", ["²", "第³网格", "½"])
def test_a_digit_that_is_no_number_finds_nothing_and_breaks_nothing(client, town, users, typed):
    # str.isdigit() holds for "²", which int() refuses (the map's search answered 500).
    response, data = get_json(client, users.admin, "grids:map_search", q=typed)
    assert response.status_code == 200 and data["grids"] == []


def test_a_number_in_full_width_digits_finds_its_grid(client, town, users):
    _, data = get_json(client, users.admin, "grids:map_search", q="第３网格")
    assert [g["number"] for g in data["grids"]] == [3]


def test_map_data_takes_the_same_queries_for_many_grids(client, town, users,
                                                         django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridgov.grids.tests.factories import GridFactory, GridStaffFactory

    client.force_login(users.admin)
    url = reverse("grids:map_grids")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(27):
        grid = GridFactory(community=town.north)
        GridStaffFactory(grid=grid)
        PlaceFactory(grid=grid)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(url).json()["features"]) == 30


def test_anyone_gets_the_grid_outlines_without_people(client, town):
    response = client.get(reverse("grids:public_outlines"))
    assert response.status_code == 200
    features = response.json()["features"]
    assert {f["properties"]["name"] for f in features} == {town.a.name, town.b.name, town.c.name}
    assert all(set(f["properties"]) == {"number", "name", "community", "color"} for f in features)
    assert "public" in response["Cache-Control"]


def test_outlines_keep_to_the_viewport_and_refuse_a_bad_one(client, town):
    west, south, east, north = (town.b.min_longitude + 0.001, town.b.min_latitude + 0.001,
                                town.b.max_longitude - 0.001, town.b.max_latitude - 0.001)
    inside_b = client.get(reverse("grids:public_outlines"),
                          {"bbox": f"{west},{south},{east},{north}"}).json()
    assert [f["properties"]["name"] for f in inside_b["features"]] == [town.b.name]
    refused = client.get(reverse("grids:public_outlines"), {"bbox": "east,west"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "bbox"
