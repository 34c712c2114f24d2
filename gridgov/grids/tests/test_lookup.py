import math

import pytest
import shapely
from django.utils import timezone

from gridgov.core.errors import Refusal
from gridgov.grids import lookup
from gridgov.grids.lookup import GridIndex, LookupResult, assign_grid, locate, locate_many
from gridgov.grids.models import Grid, Place
from gridgov.grids.tests.factories import GridFactory, PlaceFactory, TownFactory, square

# Four unit squares around (1, 1): 10 | 11 on top of 20 | 21 (grid ids).
SQUARES = {20: shapely.box(0, 0, 1, 1), 21: shapely.box(1, 0, 2, 1),
           10: shapely.box(0, 1, 1, 2), 11: shapely.box(1, 1, 2, 2)}


@pytest.fixture
def index():
    return GridIndex(list(SQUARES), list(SQUARES.values()), town_ids=[1, 1, 2, 2])


def test_a_point_in_one_grid_is_inside_it(index):
    assert index.locate_many([(0.5, 0.5)]) == [LookupResult(20, (), "inside")]


def test_a_point_on_a_shared_edge_lists_both_grids(index):
    [result] = index.locate_many([(1.0, 0.5)])
    assert result.status == "border"
    assert result.grid_id is None
    assert result.border_grid_ids == (20, 21)
    assert result.assigned_grid_id == 20


def test_a_shared_corner_lists_every_grid_touching_it(index):
    [result] = index.locate_many([(1.0, 1.0)])
    assert result.border_grid_ids == (10, 11, 20, 21)


def test_an_outer_edge_belongs_to_its_only_grid(index):
    assert index.locate_many([(0.0, 0.5)])[0] == LookupResult(20, (), "inside")


def test_outside_and_unreadable_points_are_outside(index):
    results = index.locate_many([(5, 5), (math.nan, 0.5), ("abc", None), (-0.0001, 0.5)])
    assert [r.status for r in results] == ["outside"] * 4
    assert all(r.grid_id is None and r.border_grid_ids == () for r in results)


def test_a_batch_keeps_the_order_of_its_points(index):
    points = [(1.5, 1.5), (0.5, 0.5), (9, 9), (1.5, 0.5), (1.0, 0.2), (0.5, 1.5)]
    results = index.locate_many(points)
    assert [r.grid_id for r in results] == [11, 20, None, 21, None, 10]
    assert results[4].border_grid_ids == (20, 21)


def test_the_batch_answers_like_one_point_at_a_time(index):
    import numpy as np

    points = np.random.default_rng(7).uniform(-0.5, 2.5, size=(2000, 2))
    points[::50] = np.round(points[::50])  # plenty of edges and corners
    batch = index.locate_many(points)
    assert batch == [index.locate_many([p])[0] for p in points]
    assert {r.status for r in batch} == {"inside", "border", "outside"}


@pytest.mark.parametrize("one_at_a_time", [False, True], ids=["batch", "single points"])
def test_lookups_agree_with_brute_force_on_irregular_grids(one_at_a_time):
    import numpy as np

    rng = np.random.default_rng(11)
    frame = shapely.box(0, 0, 3, 2)
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(rng.uniform((0, 0), (3, 2), (40, 2))), extend_to=frame))
    polygons = shapely.intersection(cells, frame)
    index = GridIndex(range(100, 140), polygons, town_ids=[1, 2] * 20)
    # Random points inside and around the frame, plus every vertex (on two or three edges).
    vertices = shapely.get_coordinates(polygons)
    points = np.concatenate([rng.uniform((-0.5, -0.5), (3.5, 2.5), (3000, 2)), vertices])
    for town_id, town_of in ((None, lambda i: True), (2, lambda i: i % 2 == 1)):
        expected = [tuple(100 + i for i in np.flatnonzero(shapely.intersects_xy(polygons, x, y))
                          if town_of(i)) for x, y in points]
        results = ([index.locate_many([p], town_id=town_id)[0] for p in points] if one_at_a_time
                   else index.locate_many(points, town_id=town_id))
        assert [r.grid_id for r in results] == [e[0] if len(e) == 1 else None for e in expected]
        assert [r.border_grid_ids for r in results] == [e if len(e) > 1 else () for e in expected]
        assert sum(r.status == "border" for r in results) > 20


@pytest.mark.parametrize("point", [(math.nan, 0.5), (0.5, math.inf), ("abc", None), (5, 5)])
def test_a_single_unreadable_or_distant_point_is_outside(index, point):
    assert index.locate_many([point]) == [lookup.OUTSIDE_RESULT]


def test_a_town_filter_ignores_other_towns_grids(index):
    # Town 1 holds the bottom row only: the top edge of 20 is no longer shared.
    assert index.locate_many([(0.5, 1.0)], town_id=1)[0] == LookupResult(20, (), "inside")
    assert index.locate_many([(0.5, 1.5)], town_id=1)[0].status == "outside"


def test_a_grid_filter_ignores_grids_not_listed(index):
    assert index.locate_many([(0.5, 0.5), (1.5, 0.5)], grid_ids=[21]) == [
        lookup.OUTSIDE_RESULT, LookupResult(21, (), "inside")]
    assert index.locate_many([(1.0, 0.5)], grid_ids=[21]) == [LookupResult(21, (), "inside")]


def test_an_empty_index_or_batch_answers_outside():
    empty = GridIndex([], [])
    assert empty.locate_many([(1, 1)]) == [lookup.OUTSIDE_RESULT]
    assert GridIndex([1], [shapely.box(0, 0, 1, 1)]).locate_many([]) == []


def test_points_must_be_pairs(index):
    with pytest.raises(ValueError):
        index.locate_many([(1, 2, 3)])


@pytest.mark.django_db
def test_locate_reads_the_grids_of_the_database():
    grid = GridFactory(boundary=square(121.0, 31.0, 0.01))
    assert locate(121.005, 31.005) == LookupResult(grid.pk, (), "inside")
    assert locate(121.005, 31.005, town=TownFactory()).status == "outside"
    assert locate(121.005, 31.005, town=grid.town).grid_id == grid.pk


@pytest.mark.django_db
def test_saving_a_grid_is_seen_by_the_next_lookup_in_this_process():
    grid = GridFactory(boundary=square(121.0, 31.0, 0.01))
    assert locate(121.015, 31.005).status == "outside"
    grid.boundary = square(121.01, 31.0, 0.01)
    grid.save()
    assert locate(121.015, 31.005).grid_id == grid.pk
    grid.delete()
    assert locate(121.015, 31.005).status == "outside"


@pytest.mark.django_db
def test_another_process_change_is_seen_after_the_recheck_interval(settings):
    grid = GridFactory(boundary=square(121.0, 31.0, 0.01))
    assert locate(121.015, 31.005).status == "outside"
    # Another process moves the grid: this process's index is not told.
    Grid.objects.filter(pk=grid.pk).update(boundary=square(121.01, 31.0, 0.01),
                                           updated_at=timezone.now())
    settings.GRID_LOOKUP_RECHECK_SECONDS = 3600
    assert locate(121.015, 31.005).status == "outside"
    settings.GRID_LOOKUP_RECHECK_SECONDS = 0
    assert locate(121.015, 31.005).grid_id == grid.pk


@pytest.mark.django_db
def test_locate_many_accepts_pairs_and_restricts_to_visible_grids():
    a = GridFactory(boundary=square(121.0, 31.0, 0.01))
    b = GridFactory(boundary=square(121.01, 31.0, 0.01), community=a.community)
    results = locate_many([[121.005, 31.005], [121.015, 31.005]], grid_ids=[a.pk])
    assert [r.grid_id for r in results] == [a.pk, None]
    assert locate(121.01, 31.005).border_grid_ids == tuple(sorted([a.pk, b.pk]))


@pytest.mark.django_db
def test_assign_grid_files_a_place_under_its_grid_or_none():
    grid = GridFactory(boundary=square(121.0, 31.0, 0.01))
    place = Place(town=grid.town, kind="shop", name="便利店", longitude=121.002, latitude=31.003)
    assert assign_grid(place).status == "inside"
    assert place.grid == grid
    place.longitude = 122.0
    assert assign_grid(place).status == "outside"
    assert place.grid_id is None


@pytest.mark.django_db
def test_place_factory_puts_the_place_in_its_grid():
    place = PlaceFactory()
    assert locate(place.longitude, place.latitude).grid_id == place.grid_id


@pytest.mark.django_db
def test_place_gives_the_town_community_and_grid_of_a_point():
    grid = GridFactory(boundary=square(121.0, 31.0, 0.01))
    assert lookup.place(121.002, 31.003) == (grid.town_id, grid.community_id, grid.pk)
    placement = lookup.place(121.002, 31.003, town=grid.town)
    assert (placement.town_id, placement.community_id, placement.grid_id) == (
        grid.town_id, grid.community_id, grid.pk)


@pytest.mark.django_db
def test_place_outside_every_grid_keeps_the_given_town_or_refuses():
    grid = GridFactory(boundary=square(121.0, 31.0, 0.01))
    other_town = TownFactory()
    assert lookup.place(122.0, 31.0, town=grid.town) == (grid.town_id, None, None)
    # A town's own grids only: a point in another town's grid is not filed there.
    assert lookup.place(121.002, 31.003, town=other_town.pk) == (other_town.pk, None, None)
    with pytest.raises(Refusal) as refused:
        lookup.place(122.0, 31.0)
    assert (refused.value.code, refused.value.field) == ("outside_town", "longitude")
