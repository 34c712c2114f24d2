import json

import pytest

from gridgov.core.models import AuditEntry
from gridgov.grids.io.errors import ImportRefused
from gridgov.grids.io.export import grids_geojson_chunks
from gridgov.grids.io.grid_import import import_grids
from gridgov.grids.models import Grid, Place
from gridgov.grids.tests.factories import CommunityFactory, GridFactory, PlaceFactory, UserFactory, square

pytestmark = pytest.mark.django_db

W, S = 121.0, 31.0
D = 0.01


@pytest.fixture
def community():
    return CommunityFactory(code="007", town__code="020", name="绿八居民区")


def feature(home, number, col, row=0, **props):
    return {
        "type": "Feature",
        "geometry": props.pop("geometry", square(W + col * D, S + row * D, D)),
        "properties": {
            "number": number,
            "name": f"第{number}网格",
            "unit_code": f"310105020{home.code}{number:0>3}",
            "community": home.name,
            "signature_service": "泾彩悦读",
            **props,
        },
    }


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def refusal(data, community, **kwargs) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        import_grids(data, town=community.town, actor=None, **kwargs)
    return caught.value


def test_a_valid_file_creates_the_grids_and_audits_the_counts(community):
    admin = UserFactory()
    data = collection(feature(community, 1, 0), feature(community, 2, 1, community="007"))
    report = import_grids(data, town=community.town, actor=admin, source_name="grids.geojson")
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    grid = Grid.objects.get(number=2)
    assert grid.community == community and grid.unit_code == "310105020007002"
    assert (grid.min_longitude, grid.max_longitude) == pytest.approx((W + D, W + 2 * D))
    assert grid.area_m2 == pytest.approx(1.06e6, rel=0.05)
    entry = AuditEntry.objects.get(action="grids.grid.imported")
    assert entry.actor == admin and entry.object_id == str(community.town.pk)
    assert entry.changes["created"] == 2 and entry.changes["file"] == "grids.geojson"


def test_a_known_number_updates_that_grid_and_moves_its_places(community):
    old = GridFactory(community=community, number=1, unit_code="310105020007001",
                      boundary=square(W, S, D))
    place = PlaceFactory(grid=old, longitude=W + 1.5 * D, latitude=S + 0.5 * D)  # east of it
    place.grid = None
    place.save()
    data = collection(feature(community, 1, 0, geometry=square(W, S, 2 * D), name="新名称"),
                      feature(community, 2, 5))
    report = import_grids(data, town=community.town, actor=None)
    assert (report.created, report.updated) == (1, 1)
    assert report.counts["places_moved"] == 1
    old.refresh_from_db()
    assert old.name == "新名称" and old.max_longitude == pytest.approx(W + 2 * D)
    place.refresh_from_db()
    assert place.grid == old


def test_importing_the_same_file_again_changes_nothing(community):
    data = collection(feature(community, 1, 0), feature(community, 2, 1))
    import_grids(data, town=community.town, actor=None)
    report = import_grids(data, town=community.town, actor=None)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_an_export_reads_back_unchanged(community):
    GridFactory(community=community, number=3, unit_code="310105020007003", boundary=square(W, S))
    GridFactory(community=community, number=4, unit_code="310105020007004",
                boundary=square(W + D, S), signature_service="健康守护")
    exported = "".join(grids_geojson_chunks(Grid.objects.all())).encode()
    report = import_grids(exported, town=community.town, actor=None)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_one_bad_feature_refuses_the_whole_file(community):
    good, bad = feature(community, 1, 0), feature(community, 2, 1, community="不存在居民区")
    error = refusal(collection(good, bad), community)
    assert [(e.row, e.field, e.code) for e in error.errors] == [(2, "community", "unknown_community")]
    assert "不存在居民区" in error.errors[0].message
    assert not Grid.objects.exists()
    assert not AuditEntry.objects.filter(action="grids.grid.imported").exists()


def test_every_error_in_the_file_is_reported_with_its_feature(community):
    bowtie = {"type": "Polygon", "coordinates": [[[W, S], [W + D, S + D], [W + D, S], [W, S + D], [W, S]]]}
    error = refusal(collection(
        feature(community, 1, 0),
        feature(community, 1, 1, unit_code="310105020007002"),     # duplicate number
        feature(community, 3, 2, geometry=bowtie),                  # self-intersection
        feature(community, 4, 3, geometry={"type": "Point", "coordinates": [W, S]}),
        feature(community, 5, 4, unit_code="31010502000700"),       # 14 digits
        feature(community, 6, 5, unit_code="310105099007006"),      # another town's code
        feature(community, 7, 6, unit_code="310105020008007"),      # another community's code
        feature(community, 8, 7, geometry=square(31.0, 121.0, D)),  # latitude and longitude swapped
        feature(community, 9, 8, name=""),
        feature(community, 10, 9, unit_code="310105020007009"),    # code of feature 9
        feature(community, "x", 10, unit_code="310105020007011"),
        {"type": "Feature", "geometry": None},
    ), community)
    found = {(e.row, e.field, e.code) for e in error.errors}
    assert found == {
        (2, "number", "duplicate"),
        (3, "geometry", "self_intersection"),
        (4, "geometry", "not_polygon"),
        (5, "unit_code", "invalid"),
        (6, "unit_code", "wrong_town"),
        (7, "unit_code", "wrong_community"),
        (8, "geometry", "out_of_range"),
        (9, "name", "required"),
        (10, "unit_code", "duplicate"),
        (11, "number", "invalid"),
        (12, "properties", "missing"),
    }
    assert error.total == len(found)
    assert all(e.message and not e.message.isascii() for e in error.errors)
    assert not Grid.objects.exists()


@pytest.mark.parametrize("data, code", [
    (b"{not json", "bad_json"),
    (b'{"type": "Feature"}', "not_feature_collection"),
    (b'{"type": "FeatureCollection", "features": []}', "empty"),
    ("\xff".encode("latin-1"), "bad_encoding"),
])
def test_an_unreadable_file_is_refused_as_a_whole(community, data, code):
    error = refusal(data, community)
    assert [(e.row, e.code) for e in error.errors] == [(0, code)]


def test_a_number_already_stored_is_an_error_when_updates_are_not_wanted(community):
    GridFactory(community=community, number=1, unit_code="310105020007001", boundary=square(W, S))
    error = refusal(collection(feature(community, 1, 0)), community, update_existing=False)
    assert [(e.row, e.field, e.code) for e in error.errors] == [(1, "number", "duplicate")]


def test_a_unit_code_held_by_another_grid_is_refused(community):
    GridFactory(community=community, number=8, unit_code="310105020007001", boundary=square(W, S))
    error = refusal(collection(feature(community, 1, 3)), community)
    assert [(e.row, e.field, e.code) for e in error.errors] == [(1, "unit_code", "duplicate")]
    assert "第8网格" in error.errors[0].message


def test_grids_may_touch_but_not_overlap_beyond_the_tolerance(community):
    # Feature 2 reaches 2 % into feature 1 (a sliver of 0.0002° over 0.01°).
    shifted = square(W + D - 0.0002, S, D)
    error = refusal(collection(feature(community, 1, 0), feature(community, 2, 1, geometry=shifted)),
                    community)
    assert [(e.row, e.field, e.code) for e in error.errors] == [(1, "geometry", "overlap")]
    assert "第 2 个要素" in error.errors[0].message and "2.0%" in error.errors[0].message
    report = import_grids(collection(feature(community, 1, 0), feature(community, 2, 1, geometry=shifted)),
                          town=community.town, actor=None, overlap_tolerance=0.05)
    assert report.created == 2


def test_a_grid_overlapping_a_stored_grid_is_refused(community):
    stored = GridFactory(boundary=square(W + 0.005, S, D))  # another town's grid, half over
    error = refusal(collection(feature(community, 1, 0)), community)
    assert [(e.row, e.code) for e in error.errors] == [(1, "overlap")]
    assert stored.name in error.errors[0].message


def test_replacing_a_grid_does_not_overlap_its_old_self(community):
    GridFactory(community=community, number=1, unit_code="310105020007001", boundary=square(W, S))
    report = import_grids(collection(feature(community, 1, 0, geometry=square(W, S, 0.009))),
                          town=community.town, actor=None)
    assert report.updated == 1
    assert not Place.objects.exists()
