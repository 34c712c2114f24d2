"""The map of open cases: only the visible area, clustered by the database.

A viewport (bounding box and zoom) is answered in one or two SQL queries, whatever the number of
cases: the box is an indexed range filter on longitude/latitude, and the cases in it are snapped
to square cells whose size follows the zoom (about CELL_PIXELS on screen) and counted with
GROUP BY, with their centre and their deadline colours. When the area holds few cases, or the
map is zoomed in far enough, the cases themselves are returned instead. Either way a response
holds at most MAX_FEATURES items.
"""

from dataclasses import dataclass

from django.db.models import (
    Q,
    Avg,
    BigIntegerField,
    CharField,
    Count,
    F,
    FloatField,
    Func,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.utils import timezone

from gridgov.cases.models import Case, State
from gridgov.core import params

# On-screen size of a cluster cell, in pixels of a 256-pixel tile.
CELL_PIXELS = 64
# A box is never cut into more cells than this per side, whatever zoom is claimed.
MAX_CELLS_PER_SIDE = 64
MAX_FEATURES = 2000
# From this zoom on (street level) cases are shown one by one.
MARKER_ZOOM = 17
# Fewer cases than this in the box are shown one by one at any zoom.
MARKER_THRESHOLD = 200
# Grid outlines are drawn from this zoom on (a town's grids, not a city's), at most MAX_GRIDS.
GRID_ZOOM = 12
MAX_GRIDS = 300
# The largest box worth asking for: a city, not the world.
MAX_SPAN_DEGREES = 5.0


@dataclass(frozen=True)
class Viewport:
    west: float
    south: float
    east: float
    north: float
    zoom: int

    @classmethod
    def parse(cls, bbox: str, zoom: str) -> "Viewport":
        box = params.bbox(bbox, "bbox", max_span=MAX_SPAN_DEGREES, strict=True)
        if box is None:
            raise params.refuse("bbox", "请给出地图范围 bbox")
        return cls(*box, params.zoom(zoom, "zoom"))

    def cell_size(self) -> float:
        """Degrees per cell: CELL_PIXELS at this zoom, but no finer than the box allows."""
        by_zoom = 360 / 2**self.zoom * CELL_PIXELS / 256
        by_box = max(self.east - self.west, self.north - self.south) / MAX_CELLS_PER_SIDE
        return max(by_zoom, by_box)


class CellKey(Func):
    """One integer naming the square cell of `size` degrees a point falls in:
    floor((lon + 180) / size) * SPAN + floor((lat + 90) / size). A single key keeps the
    database's GROUP BY sort narrow; the offsets keep both parts positive, where SQLite's CAST
    truncation equals floor()."""

    SPAN = 100_000_000  # more cells than a latitude range holds at the finest zoom
    output_field = BigIntegerField()

    def __init__(self, longitude, latitude, size: float):
        super().__init__(longitude, latitude)
        self.size = size

    def _sql(self, compiler, floor: str):
        lon, lon_params = compiler.compile(self.source_expressions[0])
        lat, lat_params = compiler.compile(self.source_expressions[1])
        sql = (f"{floor.format(f'({lon} + 180.0) / %s')} * {self.SPAN} + "
               f"{floor.format(f'({lat} + 90.0) / %s')}")
        return sql, [*lon_params, self.size, *lat_params, self.size]

    def as_sql(self, compiler, connection, **extra):
        return self._sql(compiler, "CAST(FLOOR({}) AS BIGINT)")

    def as_sqlite(self, compiler, connection, **extra):
        return self._sql(compiler, "CAST({} AS INTEGER)")


def deadline_conditions(now):
    """The colours of Case.deadline_light() as SQL conditions, for counting: the clock's own
    overdue (red) and past-the-warning (yellow) conditions."""
    red = Case.overdue_condition(now)
    yellow = Case.nearing_condition(now)
    return red, yellow


def in_box(queryset, view: Viewport):
    return queryset.filter(
        longitude__gte=view.west, longitude__lte=view.east,
        latitude__gte=view.south, latitude__lte=view.north,
    )


# 待受理: reported, not yet registered, no deadline running.
INTAKE = Q(state=State.REPORTED)
PAUSED = Q(clock_paused_at__isnull=False)
# Every colour the map draws, in the legend's order (the page's legend is built from this).
COLOURS = (("green", "正常"), ("yellow", "临近时限"), ("red", "已超期"),
           ("paused", "暂停计时"), ("intake", "待受理（未立案）"))


def _colour(red: int, yellow: int, intake: int = 0, count: int = 0) -> str:
    if red or yellow:
        return "red" if red else "yellow"
    return "intake" if count and intake == count else "green"


def clusters(queryset, view: Viewport, now) -> list[dict]:
    size = view.cell_size()
    red, yellow = deadline_conditions(now)
    rows = (
        queryset.order_by()
        .annotate(cell=CellKey(F("longitude"), F("latitude"), size))
        .values("cell")
        .annotate(
            n=Count("pk"),
            lon=Avg("longitude", output_field=FloatField()),
            lat=Avg("latitude", output_field=FloatField()),
            red=Count("pk", filter=red),
            yellow=Count("pk", filter=yellow),
            intake=Count("pk", filter=INTAKE),
        )
        .order_by("-n")[:MAX_FEATURES]
    )
    return [
        {"lon": round(row["lon"], 6), "lat": round(row["lat"], 6), "count": row["n"],
         "red": row["red"], "yellow": row["yellow"], "intake": row["intake"],
         "colour": _colour(row["red"], row["yellow"], row["intake"], row["n"])}
        for row in rows
    ]


def markers(queryset, now) -> list[dict]:
    red, yellow = deadline_conditions(now)
    rows = (
        queryset.order_by("-reported_at", "-pk")
        .annotate(colour=SqlCase(When(INTAKE, then=Value("intake")),
                                 When(PAUSED, then=Value("paused")),
                                 When(red, then=Value("red")), When(yellow, then=Value("yellow")),
                                 default=Value("green"), output_field=CharField()))
        .values("pk", "number", "longitude", "latitude", "category__name", "colour")[:MAX_FEATURES]
    )
    return [
        {"id": row["pk"], "number": row["number"], "category": row["category__name"],
         "lon": row["longitude"], "lat": row["latitude"], "colour": row["colour"]}
        for row in rows
    ]


def grid_counts(grids, cases, view: Viewport, now) -> list[dict]:
    """The grids overlapping the box, each with its open and overdue cases (one GROUP BY)."""
    shown = list(grids.in_bbox(view.west, view.south, view.east, view.north)
                 .values("pk", "name", "boundary")[:MAX_GRIDS])
    red, _yellow = deadline_conditions(now)
    counts = {
        row["grid_id"]: row
        for row in cases.filter(grid_id__in=[g["pk"] for g in shown]).order_by()
        .values("grid_id").annotate(n=Count("pk"), red=Count("pk", filter=red))
    }
    return [
        {"id": g["pk"], "name": g["name"], "boundary": g["boundary"],
         "open": counts.get(g["pk"], {}).get("n", 0), "overdue": counts.get(g["pk"], {}).get("red", 0)}
        for g in shown
    ]


def features(cases, grids, view: Viewport, now=None) -> dict:
    """What the map shows in `view` of the open `cases` and the `grids` a user may see:
    {"mode": "clusters" | "cases", "items": [...], "grids": [...], "total", "truncated"}."""
    now = now or timezone.now()
    boxed = in_box(cases, view)
    answer = {"grids": grid_counts(grids, cases, view, now) if view.zoom >= GRID_ZOOM else []}
    if view.zoom < MARKER_ZOOM:
        cells = clusters(boxed, view, now)
        total = sum(cell["count"] for cell in cells)
        if total > MARKER_THRESHOLD or len(cells) >= MAX_FEATURES:
            return {**answer, "mode": "clusters", "items": cells, "total": total,
                    "truncated": len(cells) >= MAX_FEATURES}
    items = markers(boxed, now)
    return {**answer, "mode": "cases", "items": items, "total": len(items),
            "truncated": len(items) >= MAX_FEATURES}
