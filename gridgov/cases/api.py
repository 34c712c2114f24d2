"""The cases API (/api/cases/): list, detail, report, act, rate by tracking code and the catalogue
(the indicators are gridgov.indicators.api).

Every write goes through gridgov.cases.actions (report_case, act, rate): the workflow decides,
its refusals come back as {"errors": [{field, code, message}]} with 400, 403 (not this user's
move) or 409 (not in this state); a report past the limits for reporters without a role, 429
with Retry-After (gridgov.cases.report_limits). A case is looked up inside
Case.objects.visible_to(user): out of scope answers 404 like a case that does not exist. Reports
and actions with photos are sent as multipart/form-data.
"""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import SessionAuth

from gridgov.cases import actions, deadlines, public, queues, report_limits
from gridgov.cases.models import Case, Category, Satisfaction, State
from gridgov.cases.workflow import ACTION_INPUTS, REPORT
from gridgov.core import params, pii
from gridgov.core.access import require_role
from gridgov.core.errors import Refusal
from gridgov.core.inputs import schema_for
from gridgov.grids import lookup
from gridgov.grids.models import Grid

router = Router(tags=["事件"])

PAGE_SIZE, MAX_PAGE_SIZE = 20, 100


class SessionOrAnonymous(SessionAuth):
    """Open to everyone; a signed-in caller acts as themself, so the session's CSRF check still
    applies to them."""

    def _get_key(self, request):
        return super()._get_key(request) if request.user.is_authenticated else None

    def authenticate(self, request, key):
        return request.user


anyone = SessionOrAnonymous()


# ----- schemas -------------------------------------------------------------------------------

class CategoryOut(Schema):
    id: int
    code: str = Field(description="B/S + 2位大类 + 2位小类（GB/T 30428）")
    kind: str
    major_name: str
    name: str
    plain_name: str
    urgency: str
    time_limit_days: int
    time_limit_hours: int | None
    emergency_notice: str = Field(description="选择此类时先给居民的紧急提示（空则无）")


class CaseOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    category_id: int
    category: str
    source: str
    source_label: str
    urgency: str
    description: str
    address: str
    longitude: float
    latitude: float
    town_id: int
    community_id: int | None
    grid_id: int | None
    grid: str
    department_id: int | None
    department: str
    reported_at: dt.datetime
    registered_at: dt.datetime | None
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    deadline: str = Field(description="red 超期 / yellow 临期 / green 正常 / paused 暂停计时 / 空")
    is_sample: bool

    @staticmethod
    def resolve_state_label(case) -> str:
        return str(case.get_state_display())

    @staticmethod
    def resolve_category(case) -> str:
        return str(case.category)

    @staticmethod
    def resolve_source_label(case) -> str:
        return str(case.get_source_display())

    @staticmethod
    def resolve_grid(case) -> str:
        return case.grid.name if case.grid else ""

    @staticmethod
    def resolve_department(case) -> str:
        return case.department.name if case.department else ""

    @staticmethod
    def resolve_deadline(case) -> str:
        return case.deadline_light(deadlines.now())


class CasePageOut(Schema):
    items: list[CaseOut]
    next_cursor: str = Field(description="下一页从此处开始（空表示没有更多）")


class EventOut(Schema):
    id: int
    action: str
    from_state: str
    to_state: str
    actor: str = Field(alias="actor_label")
    actor_unit: str = Field(description="操作人所代表的单位（部门、网格、居民区或镇）")
    department_id: int | None
    note: str = Field(description="内部说明（反映人看不到）")
    reply: str = Field(description="答复反映人（公开）")
    at: dt.datetime


class PhotoOut(Schema):
    id: int
    phase: str
    url: str


class TransitionOut(Schema):
    action: str
    label: str
    requires: list[str]
    style: str


class CaseDetailOut(CaseOut):
    reporter_name: str = Field(description="脱敏")
    reporter_phone: str = Field(description="脱敏")
    is_anonymous: bool
    satisfaction: str
    return_count: int
    rework_count: int
    merged_into_id: int | None
    events: list[EventOut]
    photos: list[PhotoOut]
    allowed_actions: list[TransitionOut]

    @staticmethod
    def resolve_events(case) -> list:
        return case.timeline

    @staticmethod
    def resolve_photos(case) -> list:
        return case.photo_links

    @staticmethod
    def resolve_allowed_actions(case) -> list:
        return case.transitions

    @staticmethod
    def resolve_reporter_name(case) -> str:
        return pii.mask_name(case.reporter_name)

    @staticmethod
    def resolve_reporter_phone(case) -> str:
        return pii.mask_phone(case.reporter_phone) if case.reporter_phone else ""


# The report's and the actions' inputs, from their declarations in the transition table.
ReportIn = schema_for("ReportIn", REPORT.inputs)


class ReportedOut(Schema):
    id: int
    number: str
    state: str
    tracking_code: str = Field(description="查询码：凭此查询进度和评价")


ActionIn = schema_for("ActionIn", ACTION_INPUTS)


class ActedOut(Schema):
    case: CaseDetailOut | None = Field(description="空：此操作后该事件已不在您的范围内（如退单）")
    event: EventOut


class TrackedOut(Schema):
    number: str
    state: str
    state_label: str
    category: str
    reported_at: dt.datetime
    closed_at: dt.datetime | None
    satisfaction: str
    can_rate: bool
    merged_into_number: str = Field("", description="已合并时，继续跟踪的事件编号")
    events: list[dict] = Field(description="[{to_state, at}]，不含人员信息")


class RateIn(Schema):
    satisfaction: Satisfaction
    reason: str = Field("", max_length=500)


# ----- helpers -------------------------------------------------------------------------------

def _visible(user):
    return Case.objects.visible_to(user).select_related("category", "grid", "department")


def _with_detail(case: Case, user) -> Case:
    """The case with what the detail schema reads: its timeline, photos and the actions this
    user may take on it now."""
    case.timeline = public.events_seen_by(case, user)
    case.photo_links = [
        {"id": photo.pk, "phase": photo.phase,
         "url": reverse("cases:case_photo", args=[case.pk, photo.pk])}
        for photo in case.photos.only("pk", "phase", "case_id")
    ]
    case.transitions = [
        {"action": t.action, "label": str(t.label), "requires": list(t.requires), "style": t.style}
        for t in actions.allowed_actions(case, user)
    ]
    return case


# ----- endpoints -----------------------------------------------------------------------------

@router.get("/categories", response=list[CategoryOut], auth=None, summary="事部件分类（启用的）")
def list_categories(request):
    return Category.objects.filter(is_active=True)


@router.get("/", response=CasePageOut, summary="事件列表（本人范围内，按上报时间倒序，游标分页）")
def list_cases(
    request,
    state: State | None = None,
    category: params.ApiId = None,
    grid: params.ApiId = None,
    community: params.ApiId = None,
    department: params.ApiId = None,
    overdue: params.ApiFlag = False,
    date_from: params.ApiDay = Query(None, description="上报日期起（含）"),
    date_to: params.ApiDay = Query(None, description="上报日期止（含）"),
    q: params.ApiText(100) = Query("", description="全文检索：描述、地址、编号"),
    cursor: params.ApiText(80) = Query(""),
    page_size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
):
    params.day_range(date_from, date_to)
    cases = _visible(request.user)
    if community is not None:
        cases = cases.filter(community_id=community)
    filters = {"state": state, "category": category, "grid": grid, "department": department,
               "overdue": overdue, "date_from": date_from, "date_to": date_to, "q": q}
    rows, next_cursor = queues.page(queues.apply_filters(cases, filters, timezone.now()), cursor,
                                    size=page_size, related=queues.ROW_RELATED)
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/{int:case_id}", response=CaseDetailOut, summary="事件详情（个人信息脱敏）")
def case_detail(request, case_id: int):
    case = get_object_or_404(_visible(request.user), pk=case_id)
    return _with_detail(case, request.user)


@router.post("/", response={201: ReportedOut}, auth=anyone,
             summary="上报问题（居民或工作人员；未登录时凭查询码跟踪）")
def report(request, payload: Form[ReportIn], photos: list[UploadedFile] = File(None),
           after_photos: list[UploadedFile] = File(None)):
    report_limits.before_reading(request)
    kept_phone = "" if payload.is_anonymous else payload.reporter_phone
    try:
        too_many = report_limits.refusal(request, kept_phone)
        if too_many:
            raise too_many
        case = actions.report_case(
            actor=request.user,
            photos=photos or (),
            after_photos=after_photos or (),
            on_saved=lambda _case: report_limits.count_report(request, kept_phone),
            **payload.dict(),
        )
    except Refusal:
        report_limits.count_refused(request)
        raise
    return Status(201, case)


class PlaceOut(Schema):
    inside: bool = Field(description="该点是否在本平台某镇/街道的网格内（上报时同一规则）")
    grid: str = ""
    community: str = ""
    message: str = ""


@router.get("/place", response=PlaceOut, auth=None, summary="坐标能否上报（点选位置时立即检查）")
def check_place(request, lon: float = Query(..., ge=-180, le=180), lat: float = Query(..., ge=-90, le=90)):
    """The report form asks as soon as a point is chosen: the answer is the report's own placing
    rule (gridgov.grids.lookup.place), so a point refused here is refused at submit too."""
    try:
        placement = lookup.place(lon, lat)
    except Refusal as refusal:
        return {"inside": False, "message": refusal.message}
    grid = Grid.objects.filter(pk=placement.grid_id).select_related("community").first()
    return {"inside": True, "grid": grid.name if grid else "",
            "community": grid.community.name if grid and grid.community_id else ""}


@router.get("/{int:case_id}/actions", response=list[TransitionOut], summary="当前用户可执行的操作")
def allowed_actions(request, case_id: int):
    case = get_object_or_404(_visible(request.user), pk=case_id)
    return _with_detail(case, request.user).transitions


@router.post("/{int:case_id}/actions/{action}", response=ActedOut, summary="执行流转操作")
def act(request, case_id: int, action: str, payload: Form[ActionIn],
        photos: list[UploadedFile] = File(None), after_photos: list[UploadedFile] = File(None)):
    case = get_object_or_404(_visible(request.user), pk=case_id)
    data = {name: value for name, value in payload.dict().items() if value not in (None, "")}
    case, event = actions.act(case, action, actor=request.user, photos=photos or None,
                              after_photos=after_photos or None, **data)
    # A move may take the case out of the actor's scope (a department returning it): the move
    # succeeded all the same, and the answer says so without showing what they no longer see.
    still_visible = _visible(request.user).filter(pk=case.pk).first()
    return {"case": _with_detail(still_visible, request.user) if still_visible else None,
            "event": event}


def _tracked(code: str) -> Case:
    return get_object_or_404(Case.objects.select_related("category", "merged_into__category"),
                             tracking_code=code.strip().upper())


@router.get("/track/{code}", response=TrackedOut, auth=None, summary="凭查询码查询进度（公开）")
def track(request, code: str):
    case = _tracked(code)
    followed = case.followed()
    return {
        "number": case.number,
        "state": followed.state,
        "state_label": str(followed.get_state_display()),
        "category": str(followed.category),
        "reported_at": case.reported_at,
        "closed_at": followed.closed_at,
        "satisfaction": followed.satisfaction,
        "can_rate": any(t.action == "evaluate" for t in actions.allowed_actions(
            followed, actions.reporter_as_actor(None, code))),
        "merged_into_number": followed.number if followed is not case else "",
        "events": [{"to_state": e.to_state, "at": e.at}
                   for e in followed.events.only("case_id", "to_state", "at")],
    }


@router.post("/track/{code}/rate", response=TrackedOut, auth=None,
             summary="凭查询码评价（公开；不满意须说明原因）")
def rate(request, code: str, payload: RateIn):
    case = _tracked(code)
    # The tracking code is the credential; no session is used, so none can be abused (CSRF).
    actions.rate(case, satisfaction=payload.satisfaction, reason=payload.reason,
                 tracking_code=case.tracking_code)
    return track(request, code)
