"""Point-to-grid lookup: which grid holds a longitude/latitude.

One shapely STRtree over every grid's polygon is built once per process and reused. A batch is
answered with a few vectorised numpy/shapely calls and no loop in Python: the points are sorted
into small cells, the tree is queried once per occupied cell, the candidate pairs are cut down
to the polygons whose bounding box holds the point, and `shapely.intersects_xy` on the prepared
polygons decides. A request with thousands of points costs milliseconds.

Each answer says explicitly where the point is:
- "inside": in exactly one grid (its interior, or an edge no other grid shares): `grid_id`;
- "border": in more than one grid, i.e. on an edge or corner they share (or in a sliver where
  they overlap within the import tolerance): `border_grid_ids`, and no `grid_id`;
- "outside": in no grid.
`assigned_grid_id` turns that into the one grid a record is filed under: the grid for "inside",
the lowest id for "border" (stable, so re-importing the same point gives the same grid).

Freshness: saving or deleting a grid in this process drops the index at once; other processes
notice within settings.GRID_LOOKUP_RECHECK_SECONDS through a cheap aggregate (count and latest
`updated_at` of the grids), and rebuild.
"""

import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import shapely
from django.conf import settings
from django.db.models import Count, Max
from shapely.geometry import shape

from gridgov.core.errors import Refusal

INSIDE, BORDER, OUTSIDE = "inside", "border", "outside"


@dataclass(frozen=True, slots=True)
class LookupResult:
    grid_id: int | None
    border_grid_ids: tuple[int, ...]
    status: Literal["inside", "border", "outside"]

    @property
    def assigned_grid_id(self) -> int | None:
        if self.status == INSIDE:
            return self.grid_id
        if self.status == BORDER:
            return self.border_grid_ids[0]
        return None


OUTSIDE_RESULT = LookupResult(None, (), OUTSIDE)


def _border(grid_ids) -> LookupResult:
    """A point on the edge of these grids: listed in ascending order, the first one assigned."""
    return LookupResult(None, tuple(sorted(grid_ids)), BORDER)


def _coordinates(points) -> np.ndarray:
    """(n, 2) float array of longitude, latitude; anything unreadable becomes NaN (outside)."""
    try:
        coords = np.asarray(points, dtype=float)
    except (TypeError, ValueError):
        coords = np.array([_pair(p) for p in points], dtype=float)
    if coords.size == 0:
        return np.empty((0, 2))
    if coords.ndim != 2 or coords.shape[1] != 2:
        raise ValueError("points must be (longitude, latitude) pairs")
    return coords


def _pair(point) -> tuple[float, float]:
    try:
        lon, lat = point
        return float(lon), float(lat)
    except (TypeError, ValueError):
        return float("nan"), float("nan")


class GridIndex:
    """An immutable spatial index over grid polygons. Needs no database: the benchmark builds one
    straight from polygons."""

    def __init__(self, grid_ids: Sequence[int], polygons: Sequence,
                 town_ids: Sequence[int] | None = None,
                 community_ids: Sequence[int | None] | None = None):
        self.grid_ids = np.asarray(grid_ids, dtype=np.int64)
        self.polygons = np.asarray(polygons, dtype=object)
        if len(self.grid_ids) != len(self.polygons):
            raise ValueError("one grid id per polygon")
        self.town_ids = (np.asarray(town_ids, dtype=np.int64) if town_ids is not None
                         else np.zeros(len(self.grid_ids), dtype=np.int64))
        # Where each grid belongs, so that filing a record under a grid needs no query.
        self.homes = dict(zip(self.grid_ids.tolist(), zip(
            self.town_ids.tolist(), community_ids or [None] * len(self.grid_ids))))
        shapely.prepare(self.polygons)
        self.tree = shapely.STRtree(self.polygons)
        self.bounds = shapely.bounds(self.polygons).T if len(self.polygons) else np.empty((4, 0))
        if len(self.polygons):
            self.extent = (self.bounds[0].min(), self.bounds[1].min(),
                           self.bounds[2].max(), self.bounds[3].max())
            # Points are bucketed in cells half the width and height of a typical grid.
            self.cell = (max(np.median(self.bounds[2] - self.bounds[0]) / 2, 1e-9),
                         max(np.median(self.bounds[3] - self.bounds[1]) / 2, 1e-9))
        # Answers are immutable, so each grid's "inside" answer is made once and shared; the last
        # slot is the "outside" answer, so one fancy index picks every point's answer.
        self._answers = np.empty(len(self.grid_ids) + 1, dtype=object)
        self._answers[:-1] = [LookupResult(int(g), (), INSIDE) for g in self.grid_ids]
        self._answers[-1] = OUTSIDE_RESULT

    def __len__(self) -> int:
        return len(self.grid_ids)

    def locate_many(self, points, *, town_id: int | None = None,
                    grid_ids: Iterable[int] | None = None) -> list[LookupResult]:
        """One answer per (longitude, latitude), in order. `town_id` and `grid_ids` restrict the
        grids considered (a town's own grids; the grids a user may see)."""
        coords = _coordinates(points)
        count = len(coords)
        if count == 0 or len(self) == 0:
            return [OUTSIDE_RESULT] * count
        if count == 1:
            return [self._locate_point(*coords[0], town_id=town_id, grid_ids=grid_ids)]
        point_idx, tree_idx = self._candidates(coords)
        if town_id is not None or grid_ids is not None:
            allowed = self._allowed(tree_idx, town_id, grid_ids)
            point_idx, tree_idx = point_idx[allowed], tree_idx[allowed]
        inside = shapely.intersects_xy(self.polygons[tree_idx], coords[point_idx, 0],
                                       coords[point_idx, 1])
        point_idx, tree_idx = point_idx[inside], tree_idx[inside]

        hits = np.bincount(point_idx, minlength=count)
        slot = np.full(count, len(self), dtype=np.int64)
        single = hits[point_idx] == 1
        slot[point_idx[single]] = tree_idx[single]
        results = self._answers[slot].tolist()
        if (hits > 1).any():
            self._fill_borders(results, point_idx[~single], tree_idx[~single])
        return results

    def _locate_point(self, lon: float, lat: float, *, town_id: int | None,
                      grid_ids: Iterable[int] | None) -> LookupResult:
        """One point (a report, a visit): one query of the tree with the point itself, where a
        batch's cells and array steps would cost ten times as much."""
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return OUTSIDE_RESULT
        tree_idx = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        if town_id is not None or grid_ids is not None:
            tree_idx = tree_idx[self._allowed(tree_idx, town_id, grid_ids)]
        if len(tree_idx) == 1:
            return self._answers[tree_idx[0]]
        if len(tree_idx) == 0:
            return OUTSIDE_RESULT
        return _border(self.grid_ids[tree_idx].tolist())

    def _allowed(self, tree_idx: np.ndarray, town_id: int | None,
                 grid_ids: Iterable[int] | None) -> np.ndarray:
        """Which of these polygons the caller's restriction keeps (a town's, listed grids)."""
        allowed = np.ones(len(tree_idx), dtype=bool)
        if town_id is not None:
            allowed &= self.town_ids[tree_idx] == town_id
        if grid_ids is not None:
            allowed &= np.isin(self.grid_ids[tree_idx], np.fromiter(grid_ids, dtype=np.int64))
        return allowed

    def _candidates(self, coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point, polygon) index pairs where the polygon's bounding box holds the point.

        Rather than one GEOS point per input (the costliest part of a bare STRtree query), the
        points are sorted into cells and the tree is asked once per occupied cell, with that
        cell's box; each point then meets only its cell's polygons, cut down to the bounding
        boxes that really hold it."""
        west, south, east, north = self.extent
        x, y = coords[:, 0], coords[:, 1]
        within = np.flatnonzero((x >= west) & (x <= east) & (y >= south) & (y <= north))
        if not len(within):
            return within, within
        x, y = x[within], y[within]
        width, height = self.cell
        columns = int((east - west) / width) + 1
        cell_of = (((y - south) / height).astype(np.int64) * columns
                   + ((x - west) / width).astype(np.int64))
        order = np.argsort(cell_of)
        sorted_cells = cell_of[order]
        starts = np.flatnonzero(np.r_[True, sorted_cells[1:] != sorted_cells[:-1]])
        sizes = np.diff(np.r_[starts, len(sorted_cells)])
        cells = sorted_cells[starts]
        col, row = cells % columns, cells // columns
        pad = max(width, height) * 1e-6  # rounding must never leave a point outside its box
        boxes = shapely.box(west + col * width - pad, south + row * height - pad,
                            west + (col + 1) * width + pad, south + (row + 1) * height + pad)
        box_idx, tree_idx = self.tree.query(boxes)
        # Every point of each (cell, polygon) pair: repeat the pair once per point of its cell.
        repeats = sizes[box_idx]
        pair = np.repeat(np.arange(len(box_idx)), repeats)
        offset = np.arange(repeats.sum()) - np.repeat(np.cumsum(repeats) - repeats, repeats)
        point_idx = order[starts[box_idx][pair] + offset]
        tree_idx = tree_idx[pair]
        px, py = x[point_idx], y[point_idx]
        west_b, south_b, east_b, north_b = (side[tree_idx] for side in self.bounds)
        held = (px >= west_b) & (px <= east_b) & (py >= south_b) & (py <= north_b)
        return within[point_idx[held]], tree_idx[held]

    def _fill_borders(self, results: list, point_idx: np.ndarray, tree_idx: np.ndarray) -> None:
        grid_ids = self.grid_ids[tree_idx]
        order = np.lexsort((grid_ids, point_idx))
        point_idx, grid_ids = point_idx[order].tolist(), grid_ids[order].tolist()
        start = 0
        for end in range(1, len(point_idx) + 1):
            if end == len(point_idx) or point_idx[end] != point_idx[start]:
                results[point_idx[start]] = _border(grid_ids[start:end])
                start = end


class _ProcessIndex:
    """The GridIndex of all grids in the database, shared by the threads of one process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._index: GridIndex | None = None
        self._version = None
        self._checked_at = float("-inf")

    def get(self) -> GridIndex:
        index = self._index
        fresh = time.monotonic() - self._checked_at < settings.GRID_LOOKUP_RECHECK_SECONDS
        if index is not None and fresh:
            return index
        with self._lock:
            version = _database_version()
            if self._index is None or version != self._version:
                self._index = build_index()
                self._version = version
            self._checked_at = time.monotonic()
            return self._index

    def invalidate(self) -> None:
        with self._lock:
            self._index = None


def _database_version():
    from gridgov.grids.models import Grid

    state = Grid.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    return state["count"], state["latest"]


def build_index(town=None) -> GridIndex:
    """An index of the grids (of one town) as this connection sees them. The process keeps one
    of every grid; an import builds its own of its town, to place its rows against the grids of
    its own transaction."""
    from gridgov.grids.models import Grid

    grids = Grid.objects.order_by("id")
    if town is not None:
        grids = grids.filter(town=town)
    rows = list(grids.values_list("id", "town_id", "community_id", "boundary"))
    return GridIndex(
        [row[0] for row in rows],
        [shape(row[3]) for row in rows],
        [row[1] for row in rows],
        [row[2] for row in rows],
    )


_process_index = _ProcessIndex()


def invalidate() -> None:
    """Forget the index; the next lookup rebuilds it. Called when grids change."""
    _process_index.invalidate()


def _town_id(town) -> int | None:
    return getattr(town, "pk", town)


def locate_many(points, *, town=None, grid_ids: Iterable[int] | None = None) -> list[LookupResult]:
    """Where each (longitude, latitude) falls, among all grids or a town's (Town or id)."""
    return _process_index.get().locate_many(points, town_id=_town_id(town), grid_ids=grid_ids)


def locate(lon: float, lat: float, *, town=None, grid_ids: Iterable[int] | None = None) -> LookupResult:
    return locate_many([(lon, lat)], town=town, grid_ids=grid_ids)[0]


class Placement(NamedTuple):
    town_id: int
    community_id: int | None
    grid_id: int | None


def place(longitude: float, latitude: float, *, town=None) -> Placement:
    """Where a record at this point belongs: the town, community and grid of the grid that holds
    it (within `town`, a Town or id, when given); outside every grid, the given town alone (a
    position may be approximate, e.g. a 12345 transfer). A Refusal when there is neither. Every
    app that files a record by its position (cases, visits, volunteers, projects) asks here."""
    index = _process_index.get()
    grid_id = index.locate_many([(longitude, latitude)], town_id=_town_id(town))[0].assigned_grid_id
    if grid_id is not None:
        town_id, community_id = index.homes[grid_id]
        return Placement(town_id, community_id, grid_id)
    if town is not None:
        return Placement(_town_id(town), None, None)
    raise Refusal("outside_town", "该位置不在本镇/街道的网格内，请在地图上重新选择", "longitude")


def assign_grid(place) -> LookupResult:
    """Set place.grid from its coordinates, within its town (the caller saves)."""
    result = locate(place.longitude, place.latitude, town=place.town_id)
    place.grid_id = result.assigned_grid_id
    return result
