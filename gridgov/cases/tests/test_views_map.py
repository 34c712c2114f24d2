"""The map of open cases: bounding box, clustering in SQL, bounded answers, scope."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.cases import casemap
from gridgov.cases.models import State
from gridgov.cases.tests.factories import CaseFactory
from gridgov.grids.tests.factories import centre

pytestmark = pytest.mark.django_db


def bbox_around(grids, margin=0.02):
    points = [centre(g.boundary) for g in grids]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return f"{min(lons) - margin},{min(lats) - margin},{max(lons) + margin},{max(lats) + margin}"


def fetch(client, user, bbox, zoom):
    client.force_login(user)
    return client.get(reverse("cases:case_map_data"), {"bbox": bbox, "zoom": zoom})


def open_cases(grid, n, **fields):
    return [CaseFactory(grid=grid, state=State.DISPATCHED, **fields) for _ in range(n)]


def test_map_page_for_staff_only(client, world):
    client.force_login(world.operator)
    page = client.get(reverse("cases:case_map"))
    assert page.status_code == 200 and "leaflet/leaflet.js" in page.content.decode()
    client.force_login(world.resident)
    assert client.get(reverse("cases:case_map")).status_code == 403
    assert fetch(client, world.resident, "121,31,122,32", 12).status_code == 403


def test_many_cases_come_back_as_counted_clusters_coloured_by_deadline(client, world, monkeypatch):
    monkeypatch.setattr(casemap, "MARKER_THRESHOLD", 5)
    now = timezone.now()
    open_cases(world.grid_a1, 4, due_at=now - dt.timedelta(hours=1))  # red
    open_cases(world.grid_a1, 3, due_at=now + dt.timedelta(hours=5),
               warn_at=now - dt.timedelta(hours=1))  # yellow
    open_cases(world.grid_b1, 5, due_at=now + dt.timedelta(days=3),
               warn_at=now + dt.timedelta(days=2))  # green
    CaseFactory(grid=world.grid_b1, state=State.CLOSED)  # not open: not on the map
    response = fetch(client, world.operator, bbox_around([world.grid_a1, world.grid_b1]), 15)
    body = response.json()
    assert response.status_code == 200 and body["mode"] == "clusters" and body["total"] == 12
    by_count = {cell["count"]: cell for cell in body["items"]}
    assert set(by_count) == {7, 5}
    assert by_count[7]["red"] == 4 and by_count[7]["yellow"] == 3 and by_count[7]["colour"] == "red"
    assert by_count[5]["colour"] == "green"
    a1 = centre(world.grid_a1.boundary)
    assert by_count[7]["lon"] == pytest.approx(a1[0]) and by_count[7]["lat"] == pytest.approx(a1[1])


def test_zoomed_in_or_few_cases_come_back_one_by_one(client, world):
    late = open_cases(world.grid_a1, 1, due_at=timezone.now() - dt.timedelta(hours=1))[0]
    bbox = bbox_around([world.grid_a1])
    for zoom in (13, casemap.MARKER_ZOOM):
        body = fetch(client, world.operator, bbox, zoom).json()
        assert body["mode"] == "cases"
        assert [(i["id"], i["number"], i["colour"]) for i in body["items"]] == [
            (late.pk, late.number, "red")]
    assert body["case_url"].replace("{id}", str(late.pk)) == reverse("cases:case_detail",
                                                                    args=[late.pk])


def test_only_the_box_is_fetched(client, world):
    open_cases(world.grid_a1, 2)
    open_cases(world.grid_b1, 3)
    body = fetch(client, world.operator, bbox_around([world.grid_b1], margin=0.004), 16).json()
    assert body["total"] == 3


def test_grids_in_view_carry_their_open_and_overdue_counts(client, world):
    open_cases(world.grid_a1, 2, due_at=timezone.now() - dt.timedelta(hours=1))
    open_cases(world.grid_a1, 1)
    body = fetch(client, world.operator, bbox_around([world.grid_a1], margin=0.001), 15).json()
    grids = {g["id"]: g for g in body["grids"]}
    assert grids[world.grid_a1.pk]["open"] == 3 and grids[world.grid_a1.pk]["overdue"] == 2
    assert grids[world.grid_a1.pk]["boundary"]["type"] == "Polygon"
    assert world.other_grid.pk not in grids


@pytest.mark.parametrize("name, expected", [
    ("operator", 3), ("operator_b", 1), ("grid_staff", 2), ("handler", 2), ("market_handler", 0),
    ("other_operator", 1),  # its own town's case only
])
def test_each_user_counts_only_what_they_may_see(client, world, name, expected):
    open_cases(world.grid_a1, 2, department=world.enforcement)
    open_cases(world.grid_b1, 1)
    CaseFactory(grid=world.other_grid, state=State.DISPATCHED)
    bbox = bbox_around([world.grid_a1, world.grid_b1, world.other_grid], margin=0.05)
    body = fetch(client, getattr(world, name), bbox, 12).json()
    assert body["total"] == expected


def test_an_answer_is_bounded(client, world, monkeypatch):
    monkeypatch.setattr(casemap, "MAX_FEATURES", 3)
    monkeypatch.setattr(casemap, "MARKER_THRESHOLD", 1)
    for grid in (world.grid_a1, world.grid_a2, world.grid_b1):
        open_cases(grid, 2)
    bbox = bbox_around([world.grid_a1, world.grid_a2, world.grid_b1])
    clustered = fetch(client, world.operator, bbox, 18 - 4).json()
    assert clustered["mode"] == "clusters" and len(clustered["items"]) <= 3
    markers = fetch(client, world.operator, bbox, casemap.MARKER_ZOOM).json()
    assert len(markers["items"]) == 3 and markers["truncated"]


def test_cells_stay_few_whatever_zoom_is_claimed():
    view = casemap.Viewport.parse("121.0,31.0,122.0,32.0", "16")
    assert 1 / view.cell_size() <= casemap.MAX_CELLS_PER_SIDE


@pytest.mark.parametrize("bbox, zoom, message", [
    ("", "12", "bbox"), ("1,2,3", "12", "bbox"), ("a,b,c,d", "12", "bbox"),
    ("121,31,122,32", "x", "zoom"), ("122,31,121,32", "12", "西<东"),
    ("100,20,120,40", "5", "范围过大"), ("121,31,122,32", "40", "超出范围"),
    ("nan,31,122,32", "12", "超出范围"),
])
def test_bad_viewports_are_refused(client, world, bbox, zoom, message):
    response = fetch(client, world.operator, bbox, zoom)
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


def test_queries_do_not_grow_with_cases(client, world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bbox = bbox_around([world.grid_a1, world.grid_b1])
    client.force_login(world.operator)
    open_cases(world.grid_a1, 2)
    for zoom in (12, casemap.MARKER_ZOOM):
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("cases:case_map_data"), {"bbox": bbox, "zoom": zoom})
        open_cases(world.grid_b1, 30)
        with django_assert_num_queries(len(few.captured_queries)):
            client.get(reverse("cases:case_map_data"), {"bbox": bbox, "zoom": zoom})
