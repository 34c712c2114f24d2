import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.core.models import AuditEntry
from gridgov.grids.models import Grid, Place
from gridgov.grids.tests.factories import GridFactory, GridStaffFactory, PlaceFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(user, method, path, **kwargs):
        if user is not None:
            client.force_login(user)
        return getattr(client, method)(f"/api/grids{path}", **kwargs)
    return call


def numbers(response):
    return [item["number"] for item in response.json()["items"]]


def test_a_visitor_gets_401_and_a_resident_403(api, users):
    assert api(None, "get", "/").status_code == 401
    response = api(users.resident, "get", "/")
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "forbidden"
    for path in ("/places", "/staff", "/locate?lon=121.005&lat=31.005"):
        assert api(users.resident, "get", path).status_code == 403


@pytest.mark.parametrize("role, expected", [
    ("admin", [1, 2, 3]), ("handler", [1, 2, 3]), ("community_operator", [3]),
    ("grid_staff", [1]), ("other_admin", []),
])
def test_grid_list_is_scoped(api, users, role, expected):
    response = api(getattr(users, role), "get", "/")
    assert response.status_code == 200 and numbers(response) == expected


def test_grid_list_is_paginated_and_filtered(api, town, users):
    extra = [GridFactory(community=town.north).number for _ in range(3)]
    response = api(users.admin, "get", "/?page_size=2&page=2")
    assert response.json()["count"] == 6 and numbers(response) == [3, min(extra)]
    assert numbers(api(users.admin, "get", f"/?community={town.south.pk}")) == [3]
    assert numbers(api(users.admin, "get", "/?q=第二")) == [2]
    item = api(users.admin, "get", "/?q=第二").json()["items"][0]
    assert item["community"] == "绿八居民区" and item["bbox"] == pytest.approx([121.01, 31.0, 121.02, 31.01])


def test_grid_list_queries_do_not_grow_with_rows(api, town, users, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as few:
        api(users.admin, "get", "/")
    for _ in range(27):
        GridFactory(community=town.north)
    with django_assert_max_num_queries(len(few)):
        assert len(api(users.admin, "get", "/").json()["items"]) == 30


def test_grid_detail_gives_boundary_masked_staff_and_place_counts(api, town, users):
    response = api(users.grid_staff, "get", f"/{town.a.pk}")
    data = response.json()
    assert data["boundary"] == town.a.boundary and data["place_counts"] == {"楼宇": 1}
    [post] = data["staff"]
    assert post["name"] == "夏*宾" and "****" in post["phone"] and post["position_label"] == "网格长"
    assert town.posts[1].user.phone not in response.content.decode()


@pytest.mark.parametrize("role, grid", [("grid_staff", "b"), ("community_operator", "a"),
                                        ("other_admin", "c")])
def test_grid_detail_outside_scope_is_404(api, town, users, role, grid):
    response = api(getattr(users, role), "get", f"/{getattr(town, grid).pk}")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"


def test_locate_one_point(api, town, users):
    assert api(users.admin, "get", "/locate?lon=121.005&lat=31.005").json() == {
        "status": "inside", "grid_id": town.a.pk, "border_grid_ids": []}
    assert api(users.admin, "get", "/locate?lon=121.01&lat=31.005").json() == {
        "status": "border", "grid_id": None, "border_grid_ids": [town.a.pk, town.b.pk]}
    response = api(users.admin, "get", "/locate?lon=200&lat=31")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "lon"


def test_locate_only_answers_with_grids_in_scope(api, town, users):
    # Grid B exists at this point, but the staff of grid A may not learn it.
    assert api(users.grid_staff, "get", "/locate?lon=121.015&lat=31.005").json()["status"] == "outside"
    assert api(users.grid_staff, "get", "/locate?lon=121.01&lat=31.005").json() == {
        "status": "inside", "grid_id": town.a.pk, "border_grid_ids": []}


def test_locate_a_batch(api, town, users):
    points = [[121.005, 31.005], [121.025, 31.005], [130, 40]] * 3000
    response = api(users.admin, "post", "/locate", data={"points": points},
                   content_type="application/json")
    results = response.json()["results"]
    assert len(results) == 9000
    assert [r["grid_id"] for r in results[:3]] == [town.a.pk, town.c.pk, None]


def test_a_batch_over_the_limit_is_refused(api, users):
    response = api(users.admin, "post", "/locate", data={"points": [[121, 31]] * 10_001},
                   content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "points"


def test_place_list_is_scoped_filtered_and_paginated(api, town, users):
    PlaceFactory(grid=town.b, kind="market", name="虹桥菜场")
    names = lambda r: [p["name"] for p in r.json()["items"]]  # noqa: E731
    assert names(api(users.grid_staff, "get", "/places")) == ["第一网格大楼"]
    assert names(api(users.grid_staff, "get", f"/places?grid={town.b.pk}")) == []
    assert names(api(users.admin, "get", "/places?kind=market")) == ["虹桥菜场"]
    assert names(api(users.admin, "get", f"/places?community={town.south.pk}")) == ["第三网格大楼"]
    assert names(api(users.admin, "get", "/places?bbox=121.02,31,121.03,31.01")) == ["第三网格大楼"]
    assert names(api(users.admin, "get", "/places?q=天山路2号")) == ["第二网格大楼"]
    assert api(users.admin, "get", "/places?kind=spaceship").status_code == 422
    bad = api(users.admin, "get", "/places?bbox=1,2")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "bbox"


def test_place_and_staff_lists_queries_do_not_grow(api, town, users, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as few_places:
        api(users.admin, "get", "/places")
    with CaptureQueriesContext(connection) as few_staff:
        api(users.admin, "get", "/staff")
    for _ in range(27):
        PlaceFactory(grid=town.a)
        GridStaffFactory(grid=town.a)
    with django_assert_max_num_queries(len(few_places)):
        assert len(api(users.admin, "get", "/places").json()["items"]) == 30
    with django_assert_max_num_queries(len(few_staff)):
        assert len(api(users.admin, "get", "/staff").json()["items"]) == 30


def test_staff_list_is_masked_and_scoped(api, town, users):
    response = api(users.community_operator, "get", "/staff")
    [post] = response.json()["items"]
    assert post["grid_id"] == town.c.pk and post["name"] == "夏*宾"
    assert town.posts[3].user.phone not in response.content.decode()
    assert api(users.other_admin, "get", "/staff").json()["items"] == []


def test_full_phone_through_the_api_is_audited_and_refused_outside_pii_roles(api, town, users):
    post = town.posts[3]
    response = api(users.community_operator, "post", f"/staff/{post.pk}/phone")
    assert response.json() == {"phone": post.user.phone}
    assert AuditEntry.objects.filter(action="core.pii.revealed", actor=users.community_operator).count() == 1
    assert api(users.leader, "post", f"/staff/{post.pk}/phone").status_code == 403
    assert api(users.grid_staff, "post", f"/staff/{post.pk}/phone").status_code == 404
    assert AuditEntry.objects.filter(action="core.pii.revealed").count() == 1


def grids_upload(town, number, **props):
    feature = {"type": "Feature", "geometry": square(121.03, 31.0),
               "properties": {"number": number, "name": f"第{number}网格", "community": "新渔东路居民区",
                              "unit_code": f"310105{town.town.code}002{number:03d}", **props}}
    return SimpleUploadedFile("g.geojson", json.dumps(
        {"type": "FeatureCollection", "features": [feature]}).encode())


def test_an_admin_imports_through_the_api(api, town, users):
    response = api(users.admin, "post", "/import/grids",
                   data={"town": town.town.pk, "file": grids_upload(town, 9)})
    assert response.status_code == 200 and response.json()["created"] == 1
    upload = SimpleUploadedFile("p.csv", "name,kind,address,lon,lat\n店,shop,,121.035,31.005\n".encode())
    response = api(users.admin, "post", "/import/places", data={"town": town.town.pk, "file": upload})
    assert response.json()["created"] == 1
    assert Place.objects.get(name="店").grid.number == 9


def test_an_api_import_refusal_lists_row_field_code_message(api, town, users):
    response = api(users.admin, "post", "/import/grids",
                   data={"town": town.town.pk, "file": grids_upload(town, 9, unit_code="123")})
    assert response.status_code == 400
    assert response.json() == {"total": 1, "errors": [{
        "row": 1, "field": "unit_code", "code": "invalid",
        "message": "单元网格代码应为15位数字：6位区代码+3位街镇+3位社区+3位顺序号"}]}
    assert not Grid.objects.filter(number=9).exists()


@pytest.mark.parametrize("role", ["operator", "leader", "community_operator", "grid_staff", "handler"])
def test_non_admins_cannot_import_or_export_through_the_api(api, town, users, role):
    user = getattr(users, role)
    assert api(user, "post", "/import/grids",
               data={"town": town.town.pk, "file": grids_upload(town, 9)}).status_code == 403
    assert api(user, "get", f"/export/grids?town={town.town.pk}").status_code == 403
    assert api(user, "get", f"/export/places?town={town.town.pk}").status_code == 403
    assert not Grid.objects.filter(number=9).exists()


def test_an_admin_of_another_town_gets_404_for_this_town(api, town, users):
    assert api(users.other_admin, "post", "/import/grids",
               data={"town": town.town.pk, "file": grids_upload(town, 9)}).status_code == 404
    assert api(users.other_admin, "get", f"/export/places?town={town.town.pk}").status_code == 404


def test_exports_through_the_api(api, town, users):
    response = api(users.admin, "get", f"/export/places?town={town.town.pk}&format=csv")
    assert b"".join(response.streaming_content).decode("utf-8-sig").count("\n") == 4
    response = api(users.admin, "get", f"/export/grids?town={town.town.pk}")
    assert len(json.loads(b"".join(response.streaming_content))["features"]) == 3
