"""Grids from a GeoJSON FeatureCollection.

Each feature is one grid: a Polygon or MultiPolygon in WGS 84 and the properties
`number`, `name`, `unit_code`, `community` (the community's name or 3-digit code) and optionally
`signature_service` (一格一最).

A feature whose number already exists in the town updates that grid in place (boundary, name,
community, unit code, signature service): the grid keeps its id, so the cases and places filed
under it stay with it. With update_existing=False such a feature is an error instead. Grids absent
from the file are left as they are: an import never deletes. After the write every place of the
town is located again, since moved boundaries may move places to another grid.
"""

import json
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.db import IntegrityError, transaction
from shapely.geometry import shape

from gridgov.core import audit
from gridgov.core.errors import Refusal
from gridgov.grids import lookup
from gridgov.grids.geometry import polygon_from_geojson
from gridgov.grids.io.bulk import update_columns
from gridgov.grids.io.errors import ErrorList, ImportRefused, ImportReport
from gridgov.grids.models import Grid, Place, Town

audit.register("grids.grid.imported", "导入网格")

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FEATURES = 5000
UPDATED_FIELDS = ("name", "community_id", "unit_code", "boundary", "signature_service")


@dataclass
class GridRow:
    row: int
    number: int
    name: str
    unit_code: str
    community: object
    signature_service: str
    boundary: dict
    polygon: shapely.Geometry
    existing: Grid | None = None


def read_features(data: bytes, max_bytes: int = MAX_FILE_BYTES,
                  max_features: int = MAX_FEATURES) -> list:
    if len(data) > max_bytes:
        raise ImportRefused.single("too_large", f"文件超过 {max_bytes // 1024 // 1024} MB")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportRefused.single("bad_encoding", "文件不是 UTF-8 编码的 GeoJSON") from None
    except json.JSONDecodeError as error:
        raise ImportRefused.single(
            "bad_json", f"不是有效的 JSON：第 {error.lineno} 行第 {error.colno} 列附近有误") from None
    if (not isinstance(document, dict) or document.get("type") != "FeatureCollection"
            or not isinstance(document.get("features"), list)):
        raise ImportRefused.single("not_feature_collection", "文件必须是 GeoJSON FeatureCollection")
    features = document["features"]
    if not features:
        raise ImportRefused.single("empty", "文件中没有任何要素")
    if len(features) > max_features:
        raise ImportRefused.single("too_many", f"一次最多导入 {max_features} 个要素")
    return features


class _GridChecker:
    """Checks every feature against the town, the file and the database; keeps every error."""

    def __init__(self, town: Town, update_existing: bool, overlap_tolerance: float):
        self.town = town
        self.update_existing = update_existing
        self.tolerance = overlap_tolerance
        self.errors = ErrorList()
        communities = list(town.communities.all())
        self.by_code = {c.code: c for c in communities}
        self.by_name = {c.name: c for c in communities}
        self.existing = {g.number: g for g in town.grids.all()}
        self.numbers: dict[int, int] = {}
        self.codes: dict[str, int] = {}

    def check(self, features: list) -> list[GridRow]:
        rows = [row for n, feature in enumerate(features, 1) if (row := self._feature(n, feature))]
        self._unit_codes_in_database(rows)
        self._overlaps(rows)
        self.errors.refuse_if_any()
        return rows

    def _feature(self, n: int, feature) -> GridRow | None:
        add = self.errors.add
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            add(n, "", "not_feature", "不是 GeoJSON Feature")
            return None
        props = feature.get("properties")
        if not isinstance(props, dict):
            add(n, "properties", "missing", "缺少 properties")
            return None
        before = len(self.errors)
        number = self._number(n, props.get("number"))
        name = self._text(n, "name", props.get("name"), 50, required=True)
        signature = self._text(n, "signature_service", props.get("signature_service"), 50)
        community = self._community(n, props.get("community"))
        unit_code = self._unit_code(n, props.get("unit_code"), community)
        try:
            polygon = shapely.force_2d(polygon_from_geojson(feature.get("geometry")))
        except Refusal as error:
            add(n, "geometry", error.code, error.message)
            polygon = None
        if len(self.errors) > before:
            return None
        return GridRow(n, number, name, unit_code, community, signature,
                       json.loads(shapely.to_geojson(polygon)), polygon, self.existing.get(number))

    def _number(self, n: int, value) -> int | None:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 100_000:
            self.errors.add(n, "number", "invalid", "网格编号必须是正整数")
            return None
        if value in self.numbers:
            self.errors.add(n, "number", "duplicate",
                            f"网格编号 {value} 与第 {self.numbers[value]} 个要素重复")
        elif value in self.existing and not self.update_existing:
            self.errors.add(n, "number", "duplicate", f"网格编号 {value} 已存在（未选择更新已有网格）")
        self.numbers.setdefault(value, n)
        return value

    def _text(self, n: int, field: str, value, max_length: int, required=False) -> str:
        value = "" if value is None else str(value).strip()
        if required and not value:
            self.errors.add(n, field, "required", f"缺少 {field}")
        elif len(value) > max_length:
            self.errors.add(n, field, "too_long", f"{field} 不能超过 {max_length} 个字")
        return value

    def _community(self, n: int, value):
        value = "" if value is None else str(value).strip()
        community = self.by_code.get(value) or self.by_name.get(value)
        if community is None:
            self.errors.add(n, "community", "unknown_community",
                            f"居民区“{value}”不属于{self.town.name}" if value else "缺少所属居民区")
        return community

    def _unit_code(self, n: int, value, community) -> str:
        code = "" if value is None else str(value).strip()
        add = self.errors.add
        if not (len(code) == 15 and code.isascii() and code.isdigit()):
            add(n, "unit_code", "invalid", "单元网格代码应为15位数字：6位区代码+3位街镇+3位社区+3位顺序号")
            return code
        if code[:6] != self.town.district_code or code[6:9] != self.town.code:
            add(n, "unit_code", "wrong_town",
                f"单元网格代码前9位应为 {self.town.district_code}{self.town.code}（{self.town.name}）")
        elif community is not None and code[9:12] != community.code:
            add(n, "unit_code", "wrong_community",
                f"单元网格代码第10-12位应为 {community.code}（{community.name}）")
        if code in self.codes:
            add(n, "unit_code", "duplicate", f"单元网格代码与第 {self.codes[code]} 个要素重复")
        self.codes.setdefault(code, n)
        return code

    def _unit_codes_in_database(self, rows: list[GridRow]) -> None:
        by_code = {row.unit_code: row for row in rows}
        holders = Grid.objects.filter(unit_code__in=list(by_code)).select_related("town")
        for grid in holders:
            row = by_code[grid.unit_code]
            if row.existing is None or row.existing.pk != grid.pk:
                self.errors.add(row.row, "unit_code", "duplicate",
                                f"单元网格代码已被{grid.town.name}{grid.name}（编号 {grid.number}）使用")

    def _overlaps(self, rows: list[GridRow]) -> None:
        """Grids may touch but not overlap beyond the tolerance, within the file or with any grid
        already stored (of any town) that this file does not replace."""
        if not rows:
            return
        new = np.array([row.polygon for row in rows], dtype=object)
        west, south, east, north = shapely.total_bounds(new)
        replaced = [row.existing.pk for row in rows if row.existing]
        others = list(Grid.objects.in_bbox(west, south, east, north).exclude(pk__in=replaced)
                      .select_related("town"))
        polygons = np.concatenate([new, np.array([shape(g.boundary) for g in others], dtype=object)])
        left, right = shapely.STRtree(polygons).query(new, predicate="intersects")
        # Each pair of file grids once; every file-stored pair.
        pairs = (right > left)
        left, right = left[pairs], right[pairs]
        if not len(left):
            return
        areas = shapely.area(polygons)
        shared = shapely.area(shapely.intersection(polygons[left], polygons[right]))
        share = shared / np.minimum(areas[left], areas[right])
        for i, j, value in zip(left.tolist(), right.tolist(), share.tolist()):
            if value <= self.tolerance:
                continue
            if j < len(rows):
                other = f"第 {rows[j].row} 个要素（编号 {rows[j].number}）"
            else:
                grid = others[j - len(rows)]
                other = f"已有的{grid.town.name}{grid.name}（编号 {grid.number}）"
            self.errors.add(rows[i].row, "geometry", "overlap",
                            f"与{other}重叠 {value:.1%}，超过允许的 {self.tolerance:.1%}")


def import_grids(data: bytes, *, town: Town, actor, update_existing: bool = True,
                 overlap_tolerance: float | None = None, source_name: str = "") -> ImportReport:
    """Check the whole file, then write it in one transaction; ImportRefused leaves the database
    untouched."""
    tolerance = settings.GRID_OVERLAP_TOLERANCE if overlap_tolerance is None else overlap_tolerance
    features = read_features(data)
    try:
        with transaction.atomic():
            # One import per town at a time (PostgreSQL; SQLite's IMMEDIATE transaction already
            # holds the write lock), so the checks still hold when the rows are written.
            Town.objects.select_for_update().filter(pk=town.pk).first()
            rows = _GridChecker(town, update_existing, tolerance).check(features)
            report = _write(rows, town)
            audit.record("grids.grid.imported", actor=actor, target=town, changes={
                "file": source_name[:200], **report.as_dict()})
    except IntegrityError:
        raise ImportRefused.single(
            "conflict", "写入时与其他数据冲突（可能有人同时修改了网格），未做任何修改，请重试") from None
    finally:
        lookup.invalidate()
    return report


def _write(rows: list[GridRow], town: Town) -> ImportReport:
    report = ImportReport(rows=len(rows))
    for row in rows:
        grid = row.existing or Grid(town=town, number=row.number)
        values = {"name": row.name, "community_id": row.community.pk, "unit_code": row.unit_code,
                  "boundary": row.boundary, "signature_service": row.signature_service}
        if grid.pk and all(getattr(grid, key) == value for key, value in values.items()):
            report.unchanged += 1
            continue
        for key, value in values.items():
            setattr(grid, key, value)
        if grid.pk:
            report.updated += 1
        else:
            report.created += 1
        grid.save()
    report.counts["places_moved"] = relocate_places(town)
    return report


def relocate_places(town: Town, chunk: int = 5000) -> int:
    """File every place of the town under the grid its coordinates now fall in; returns how many
    changed grid."""
    index = lookup.build_index(town)
    places = Place.objects.filter(town=town).order_by("pk").values_list(
        "pk", "grid_id", "longitude", "latitude")
    moved = []
    last_pk = 0
    while batch := list(places.filter(pk__gt=last_pk)[:chunk]):
        last_pk = batch[-1][0]
        results = index.locate_many([(lon, lat) for _pk, _grid, lon, lat in batch])
        moved += [(result.assigned_grid_id, pk)
                  for (pk, grid_id, _lon, _lat), result in zip(batch, results)
                  if result.assigned_grid_id != grid_id]
    update_columns(Place, ["grid"], moved)
    return len(moved)
