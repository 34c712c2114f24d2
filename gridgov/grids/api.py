"""The registry API (/api/grids/): grids, places, staff, point lookup, import and export.

Everything starts from the caller's scope (visible_to): a grid, place or post outside it answers
404 like one that does not exist. Reading needs a registry role; import and export a registry
editor's town. Personal data of staff is masked; the full number is a separate, audited call.
"""

from typing import Literal

from django.db.models import Count
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gridgov.accounts.roles import REGISTRY_EDITORS, REGISTRY_ROLES
from gridgov.core import params, pii
from gridgov.core.access import require_role
from gridgov.core.errors import Refusal
from gridgov.grids import actions, addresses, lookup
from gridgov.grids.access import (
    EDITOR_REFUSAL,
    READER_REFUSAL,
    editable_towns,
    visible_grids,
    visible_places,
    visible_staff,
)
from gridgov.grids.downloads import grids_download, places_download
from gridgov.grids.io import grid_import, place_import
from gridgov.grids.io.grid_import import import_grids
from gridgov.grids.io.place_import import import_places
from gridgov.grids.models import PlaceKind

router = Router(tags=["网格"])

MAX_LOCATE_POINTS = 10_000
PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


def _require_reader(request) -> None:
    require_role(request.user, REGISTRY_ROLES, READER_REFUSAL)


def _require_editor(request) -> None:
    require_role(request.user, REGISTRY_EDITORS, EDITOR_REFUSAL)


class GridOut(Schema):
    id: int
    number: int
    name: str
    town_id: int
    community_id: int
    community: str
    unit_code: str
    signature_service: str
    is_sample: bool
    bbox: list[float] = Field(description="[西, 南, 东, 北]")

    @staticmethod
    def resolve_community(grid) -> str:
        return grid.community.name

    @staticmethod
    def resolve_bbox(grid) -> list[float]:
        return [grid.min_longitude, grid.min_latitude, grid.max_longitude, grid.max_latitude]


class StaffOut(Schema):
    id: int
    grid_id: int
    position: str
    position_label: str
    line: str = Field(description="“多格合一”前所属的网格条线")
    line_label: str
    also_liaison: bool
    name: str = Field(description="脱敏姓名")
    phone: str = Field(description="脱敏手机号")
    work_unit: str
    is_sample: bool

    @staticmethod
    def resolve_position_label(post) -> str:
        return str(post.get_position_display())

    @staticmethod
    def resolve_line_label(post) -> str:
        return str(post.get_line_display())

    @staticmethod
    def resolve_name(post) -> str:
        return pii.mask_name(post.user.name)

    @staticmethod
    def resolve_phone(post) -> str:
        return pii.mask_phone(post.user.phone)


class GridDetailOut(GridOut):
    boundary: dict
    area_m2: float
    place_counts: dict[str, int] = Field(description="各类型地点数量")
    staff: list[StaffOut]

    @staticmethod
    def resolve_staff(grid) -> list:
        return grid.visible_posts


class PlaceOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    address: str
    longitude: float
    latitude: float
    grid_id: int | None
    is_sample: bool

    @staticmethod
    def resolve_kind_label(place) -> str:
        return str(place.get_kind_display())


class LocateOut(Schema):
    status: Literal["inside", "border", "outside"]
    grid_id: int | None
    border_grid_ids: list[int]


class PointsIn(Schema):
    points: list[tuple[float, float]] = Field(
        max_length=MAX_LOCATE_POINTS, description="[[经度, 纬度], ...]，WGS84，最多 10000 个")


class LocateManyOut(Schema):
    results: list[LocateOut]


class RowErrorOut(Schema):
    row: int = Field(description="行号（表头为第1行）或要素序号（从1起）；0 表示整个文件")
    field: str
    code: str
    message: str


class ImportErrorsOut(Schema):
    errors: list[RowErrorOut]
    total: int


class ImportReportOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    counts: dict


class PhoneOut(Schema):
    phone: str


@router.get("/", response=list[GridOut], summary="网格列表")
@paginate(params.api_pages(), page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def list_grids(request, community: params.ApiId = None, q: params.ApiText(50) = ""):
    _require_reader(request)
    grids = visible_grids(request.user).select_related("community").order_by("town_id", "number")
    if community is not None:
        grids = grids.filter(community_id=community)
    if q.strip():
        grids = grids.search(q)
    return grids


@router.get("/{int:grid_id}", response=GridDetailOut, summary="网格详情")
def grid_detail(request, grid_id: int):
    _require_reader(request)
    grid = get_object_or_404(visible_grids(request.user).select_related("community"), pk=grid_id)
    labels = dict(PlaceKind.choices)
    grid.place_counts = {str(labels.get(row["kind"], row["kind"])): row["n"] for row in
                   visible_places(request.user).filter(grid=grid).order_by().values("kind")
                   .annotate(n=Count("pk"))}
    grid.visible_posts = list(visible_staff(request.user).filter(grid=grid).select_related("user")
                      .order_by("position", "pk"))
    return grid


def _answer(result: lookup.LookupResult) -> dict:
    return {"status": result.status, "grid_id": result.grid_id,
            "border_grid_ids": list(result.border_grid_ids)}


def _locatable_grids(user) -> list[int] | None:
    # The lookup answers only with grids the caller may see (None: every grid).
    if user.is_superuser:
        return None
    return list(visible_grids(user).values_list("pk", flat=True))


@router.get("/locate", response=LocateOut, summary="坐标所在网格")
def locate_point(request, lon: float = Query(..., ge=-180, le=180),
                 lat: float = Query(..., ge=-90, le=90)):
    _require_reader(request)
    return _answer(lookup.locate(lon, lat, grid_ids=_locatable_grids(request.user)))


@router.post("/locate", response=LocateManyOut, summary="批量查询坐标所在网格（最多 10000 个）")
def locate_points(request, payload: PointsIn):
    _require_reader(request)
    results = lookup.locate_many(payload.points, grid_ids=_locatable_grids(request.user))
    return {"results": [_answer(result) for result in results]}


class AddressOut(Schema):
    id: int
    label: str = Field(description="如：新渔东路88号 泾华苑 3号楼")
    road: str
    number: int
    number_suffix: str
    compound: str
    building: str
    longitude: float
    latitude: float
    is_sample: bool

    @staticmethod
    def resolve_road(address) -> str:
        return address.road.name


class NearestAddressOut(Schema):
    address: AddressOut | None
    distance_m: float | None


# The address register is the town's public naming of places: residents use it on the report
# form, signed in or not.
@router.get("/addresses", response=list[AddressOut], auth=None, summary="查找标准地址（地名地址）")
def search_addresses(request, q: str = Query(..., max_length=addresses.MAX_QUERY_LENGTH,
                                             description="路名（可只输入一部分）和门牌号，如：新渔东路 88号")):
    return addresses.search(q)


@router.get("/addresses/nearest", response=NearestAddressOut, auth=None,
            summary="离坐标最近的标准地址")
def nearest_address(request, lon: float = Query(..., ge=-180, le=180),
                    lat: float = Query(..., ge=-90, le=90)):
    found = addresses.nearest(lon, lat)
    if found is None:
        return {"address": None, "distance_m": None}
    return {"address": found[0], "distance_m": round(found[1], 1)}


@router.get("/places", response=list[PlaceOut], summary="地点列表")
@paginate(params.api_pages(), page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def list_places(request, kind: PlaceKind | None = None, grid: params.ApiId = None,
                community: params.ApiId = None, q: params.ApiText(50) = "",
                bbox: params.ApiText(100) = Query("", description="西,南,东,北")):
    _require_reader(request)
    places = visible_places(request.user).order_by("name", "pk")
    if kind:
        places = places.filter(kind=kind)
    if grid is not None:
        places = places.filter(grid_id=grid)
    if community is not None:
        places = places.filter(grid__community_id=community)
    if q.strip():
        places = places.search(q)
    box = params.bbox(bbox)
    return places.in_bbox(*box) if box else places


@router.get("/staff", response=list[StaffOut], summary="网格人员（脱敏）")
@paginate(params.api_pages(), page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def list_staff(request, grid: params.ApiId = None, community: params.ApiId = None):
    _require_reader(request)
    posts = visible_staff(request.user).select_related("user").order_by("grid_id", "position", "pk")
    if grid is not None:
        posts = posts.filter(grid_id=grid)
    if community is not None:
        posts = posts.filter(grid__community_id=community)
    return posts


@router.post("/staff/{int:post_id}/phone", response=PhoneOut, summary="查看完整手机号（留痕）")
def reveal_phone(request, post_id: int):
    _require_reader(request)
    post = get_object_or_404(visible_staff(request.user).select_related("user"), pk=post_id)
    return {"phone": actions.reveal_staff_phone(post, actor=request.user)}


def _upload(file: UploadedFile, max_bytes: int) -> bytes:
    if file.size > max_bytes:
        raise Refusal("too_large", f"文件不能超过 {max_bytes // 2**20} MB", "file")
    return file.read()


@router.post("/import/grids", response={200: ImportReportOut, 400: ImportErrorsOut},
             summary="导入网格（GeoJSON，全部校验通过才写入）")
def import_grids_endpoint(request, town: int = Form(...), file: UploadedFile = File(...),
                          update_existing: bool = Form(True)):
    _require_editor(request)
    target = get_object_or_404(editable_towns(request.user), pk=town)
    return import_grids(_upload(file, grid_import.MAX_FILE_BYTES), town=target, actor=request.user,
                        update_existing=update_existing, source_name=file.name or "")


@router.post("/import/places", response={200: ImportReportOut, 400: ImportErrorsOut},
             summary="导入地点（.xlsx 或 .csv，全部校验通过才写入）")
def import_places_endpoint(request, town: int = Form(...), file: UploadedFile = File(...)):
    _require_editor(request)
    target = get_object_or_404(editable_towns(request.user), pk=town)
    return import_places(_upload(file, place_import.MAX_FILE_BYTES), town=target, actor=request.user,
                         filename=file.name or "")


@router.get("/export/grids", summary="导出网格（GeoJSON）")
def export_grids_endpoint(request, town: int):
    _require_editor(request)
    return grids_download(get_object_or_404(editable_towns(request.user), pk=town),
                          actor=request.user)


@router.get("/export/places", summary="导出地点（.csv 或 .xlsx）")
def export_places_endpoint(request, town: int, format: Literal["csv", "xlsx"] = "csv"):
    _require_editor(request)
    return places_download(get_object_or_404(editable_towns(request.user), pk=town), format,
                           actor=request.user)
