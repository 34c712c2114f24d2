"""新泾镇's demo base map and address register, drawn from the demo's grid layout.

Streets run along the sketch's inner lattice lines (names in `xinjing`), with a lane through
each grid, rows of buildings beside it, a pond and the real places as landmarks. Addresses are
numbered along each street every 30 m, odd on one side and even on the other, every tenth a
lane (弄) of a compound with three buildings. Everything here is invented (is_sample) and goes
through the same imports a town uses, so the demo also exercises their checks.
"""

import itertools
import json

from shapely.geometry import LineString

from gridgov.core import tabular
from gridgov.demo import xinjing
from gridgov.demo.loaders import grid_cells, xinjing_town
from gridgov.demo.registry import register
from gridgov.grids.geometry import metres_per_degree
from gridgov.grids.io.address_import import import_addresses
from gridgov.grids.io.basemap_import import import_basemap
from gridgov.grids.models import BaseMapKind

ADDRESS_SPACING_M = 30
ADDRESS_OFFSET_M = 12
BUILDING_ROWS = (0.18, 0.38, 0.62, 0.82)  # v: north to south
BUILDING_COLUMNS = (0.14, 0.3, 0.7, 0.86)  # u: west to east, the lane at 0.5
BUILDING_HALF_SIZE = (0.05, 0.05)  # of the cell's width and height


def _feature(geometry: dict, name: str = "") -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": {"name": name}}


def street_lines(cells) -> dict[str, list[list[tuple[float, float]]]]:
    """{road name: its segments}, one segment per grid edge (as a town's GIS delivers them)."""
    by_position = {(cell.row, cell.col): cell for cell in cells}
    rows, cols = xinjing.ROWS, xinjing.COLS
    streets = {}
    for i, name in enumerate(xinjing.EAST_WEST_ROADS, start=1):
        # The line between row i-1 and row i: the north edge of row i's cells.
        streets[name] = [[by_position[i, j].corners[0], by_position[i, j].corners[1]]
                         for j in range(cols)]
    for j, name in enumerate(xinjing.NORTH_SOUTH_ROADS, start=1):
        streets[name] = [[by_position[i, j].corners[0], by_position[i, j].corners[3]]
                         for i in range(rows)]
    return streets


def _layers(cells) -> dict[str, list[dict]]:
    roads = [_feature({"type": "LineString", "coordinates": segment}, name)
             for name, segments in street_lines(cells).items() for segment in segments]
    roads += [_feature({"type": "LineString",
                        "coordinates": [cell.point(0.5, 0.04), cell.point(0.5, 0.96)]})
              for cell in cells]
    buildings = []
    du, dv = BUILDING_HALF_SIZE
    for cell in cells:
        for u in BUILDING_COLUMNS:
            for v in BUILDING_ROWS:
                ring = [cell.point(u - du, v + dv), cell.point(u + du, v + dv),
                        cell.point(u + du, v - dv), cell.point(u - du, v - dv)]
                buildings.append(_feature({"type": "Polygon", "coordinates": [ring + ring[:1]]}))
    pond_cell = cells[len(cells) // 2 + 1]
    pond = [pond_cell.point(0.36, 0.56), pond_cell.point(0.46, 0.56), pond_cell.point(0.47, 0.46),
            pond_cell.point(0.4, 0.44), pond_cell.point(0.35, 0.5)]
    water = [_feature({"type": "Polygon", "coordinates": [pond + pond[:1]]})]
    landmarks = [_feature({"type": "Point", "coordinates": [seed.longitude, seed.latitude]},
                          seed.name) for seed in xinjing.REAL_PLACES]
    return {BaseMapKind.ROAD: roads, BaseMapKind.BUILDING: buildings,
            BaseMapKind.WATER: water, BaseMapKind.LANDMARK: landmarks}


@register("basemap", after=("registry",))
def load_basemap(context) -> None:
    town = xinjing_town()
    for kind, features in _layers(grid_cells(town, context)).items():
        data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
        import_basemap(data, town=town, kind=kind, actor=None, is_sample=True,
                       source_name=f"demo-{kind}.geojson")


def address_rows(cells, town) -> list[tuple]:
    """(road, number, compound, building, longitude, latitude) along each demo street."""
    per_lon, per_lat = metres_per_degree(town.latitude)
    rows = []
    compounds = itertools.cycle(xinjing.COMPOUNDS)
    for name, segments in street_lines(cells).items():
        points = [segments[0][0]] + [segment[1] for segment in segments]
        # In metres around the town centre, so that spacing and sides are true distances.
        line = LineString([((lon - town.longitude) * per_lon, (lat - town.latitude) * per_lat)
                           for lon, lat in points])
        number = 0
        distance = ADDRESS_SPACING_M / 2
        while distance < line.length:
            number += 1
            here, ahead = line.interpolate(distance), line.interpolate(distance + 1)
            dx, dy = ahead.x - here.x, ahead.y - here.y
            side = ADDRESS_OFFSET_M if number % 2 else -ADDRESS_OFFSET_M
            x, y = here.x - dy * side, here.y + dx * side
            lon, lat = town.longitude + x / per_lon, town.latitude + y / per_lat
            if number % 10:
                rows.append((name, f"{number}号", "", "", lon, lat))
            else:
                compound = next(compounds)
                rows += [(name, f"{number}弄", compound, f"{b}号楼", lon + (b - 2) * 20 / per_lon, lat)
                         for b in (1, 2, 3)]
            distance += ADDRESS_SPACING_M
    return rows


@register("addresses", after=("registry",))
def load_addresses(context) -> None:
    town = xinjing_town()
    rows = address_rows(grid_cells(town, context), town)
    sheet = tabular.Sheet("地址", ["路名", "门牌号", "小区", "楼栋", "经度", "纬度"],
                          ((*row[:4], f"{row[4]:.6f}", f"{row[5]:.6f}") for row in rows))
    import_addresses("".join(tabular.csv_lines(sheet)).encode(), town=town, actor=None,
                     is_sample=True, filename="demo-addresses.csv")
