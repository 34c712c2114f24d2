"""A sketch of the town's grid layout: a lattice of quadrilaterals that tile a rough outline.

The real boundaries of 新泾镇's grids are not public: the demo draws `rows` x `cols` cells over a
box around the town centre and moves every lattice vertex a little at random (seeded), so the
cells look hand-drawn. Neighbouring cells share the very same (rounded) vertices, so they tile
with no gap and no overlap, and a moderate jitter keeps every quadrilateral convex.
"""

import random
from dataclasses import dataclass

from gridgov.grids.geometry import metres_per_degree

Point = tuple[float, float]


@dataclass(frozen=True)
class Cell:
    row: int  # 0 is the northernmost row
    col: int  # 0 is the westernmost column
    corners: tuple[Point, Point, Point, Point]  # north-west, north-east, south-east, south-west

    def geojson(self) -> dict:
        ring = [list(p) for p in (*self.corners, self.corners[0])]
        # GeoJSON outer rings run anticlockwise: south-west, south-east, north-east, north-west.
        return {"type": "Polygon", "coordinates": [ring[::-1]]}

    def point(self, u: float, v: float) -> Point:
        """The point at fraction u from west to east and v from north to south (0 < u, v < 1),
        inside the cell since a convex quadrilateral holds its bilinear interior."""
        nw, ne, se, sw = self.corners
        north = (nw[0] + (ne[0] - nw[0]) * u, nw[1] + (ne[1] - nw[1]) * u)
        south = (sw[0] + (se[0] - sw[0]) * u, sw[1] + (se[1] - sw[1]) * u)
        return (round(north[0] + (south[0] - north[0]) * v, 6),
                round(north[1] + (south[1] - north[1]) * v, 6))


def lattice(centre: Point, width_m: float, height_m: float, rows: int, cols: int,
            rng: random.Random, jitter: float = 0.18) -> list[Cell]:
    """Cells in reading order (north-west first), `jitter` being the largest move of a vertex
    as a share of the cell's width or height."""
    per_lon, per_lat = metres_per_degree(centre[1])
    cell_w, cell_h = width_m / cols / per_lon, height_m / rows / per_lat
    west, north = centre[0] - cell_w * cols / 2, centre[1] + cell_h * rows / 2

    def vertex(i: int, j: int) -> Point:
        dx = rng.uniform(-jitter, jitter) * cell_w
        dy = rng.uniform(-jitter, jitter) * cell_h
        return round(west + j * cell_w + dx, 6), round(north - i * cell_h + dy, 6)

    vertices = [[vertex(i, j) for j in range(cols + 1)] for i in range(rows + 1)]
    return [
        Cell(i, j, (vertices[i][j], vertices[i][j + 1], vertices[i + 1][j + 1], vertices[i + 1][j]))
        for i in range(rows)
        for j in range(cols)
    ]

