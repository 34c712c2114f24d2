"""The service package's API (/api/services/): the public catalogue and its search, applications
(apply, list, detail, act, rate), the visiting team's records (idempotent) and follow-ups, and the
coverage tables.

Every write goes through the app's actions and the one transition table; refusals come back as
{"errors": [{field, code, message}]} (400, 403, 404, 409). Lists start from visible_to(): a row
out of scope answers 404 like a row that does not exist.
"""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from gridgov.core.access import require_role
from gridgov.core.errors import Refusal
from gridgov.core.inputs import schema_for

from . import actions
from .models import Application, ServiceItem, TargetGroup
from .queues import QUEUE_STATES, provider_queue
from .rules import PROVIDERS
from .workflow import APPLY_INPUTS, TRANSITIONS

router = Router(tags=["服务"])
PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
# The inputs of every move after the application (reason, result, rating, comment).
ACTION_INPUTS = [i for t in TRANSITIONS if t.action != "apply" for i in t.inputs]


def page_bounds(page: int, size: int) -> tuple[int, int]:
    if page < 1 or page > 10_000:
        raise Refusal("bad_page", "页码应为1到10000", "page")
    if size < 1 or size > MAX_PAGE_SIZE:
        raise Refusal("bad_size", f"每页条数应为1到{MAX_PAGE_SIZE}", "size")
    return (page - 1) * size, page * size


# ----- catalogue ---------------------------------------------------------------------------

class ItemOut(Schema):
    id: int
    code: str
    name: str
    aspect: str = Field(alias="category.aspect.name")
    category: str = Field(alias="category.name")
    description: str
    policy: str
    provides: str
    resources: str
    provider: str
    target_groups: list[str] = Field(alias="target_codes")
    how_to_apply: str
    asks_for: str
    response_days: int
    service_days: int
    is_sample: bool


class ItemPageOut(Schema):
    total: int
    items: list[ItemOut]


@router.get("/items", response=ItemPageOut, auth=None,
            summary="服务清单（公开；q 为中文检索词，空格分隔的词须全部匹配）")
def list_items(request, town: int | None = None, q: str = "", aspect: int | None = None,
               target: TargetGroup | None = None, page: int = 1, size: int = PAGE_SIZE):
    start, end = page_bounds(page, size)
    if len(q) > 100:
        raise Refusal("too_long", "检索词最多100个字", "q")
    items = ServiceItem.objects.active()
    if town is not None:
        items = items.filter(town_id=town)
    if aspect is not None:
        items = items.filter(category__aspect_id=aspect)
    if target is not None:
        items = items.filter(target_groups__contains=target.value)
    total, rows = items.order_by("code").search_page(
        q, start, end - start, related=("category__aspect", "department"))
    return {"total": total, "items": rows}


@router.get("/items/{int:item_id}", response=ItemOut, auth=None, summary="服务项目详情（公开）")
def item_detail(request, item_id: int):
    return get_object_or_404(ServiceItem.objects.active().select_related(
        "category__aspect", "department"), pk=item_id)


# ----- applications ------------------------------------------------------------------------

ApplyIn = schema_for("ApplyIn", APPLY_INPUTS)
ActionIn = schema_for("ApplicationActionIn", ACTION_INPUTS)


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor_unit: str
    note: str
    at: dt.datetime


class ApplicationOut(Schema):
    id: int
    number: str
    state: str
    state_label: str = Field(alias="get_state_display")
    item_id: int
    item: str = Field(alias="item.name")
    department_id: int | None
    applicant_kind: str
    applicant: str = Field(alias="applicant_label", description="单位名称，或脱敏的个人姓名")
    credit_code: str
    contact_phone: str = Field(alias="masked_contact_phone", description="脱敏")
    details: str
    submitted_at: dt.datetime
    due_at: dt.datetime | None
    overdue: bool = False
    decline_reason: str
    result: str
    rating: int | None
    rating_comment: str
    actions: list[str] = []
    events: list[EventOut] = Field([], alias="timeline")


def _out(application: Application, user) -> Application:
    application.overdue = application.light == "red"
    application.actions = [t.action for t in actions.allowed_actions(application, user)]
    application.timeline = list(application.events.all())
    return application


def _visible(user):
    return Application.objects.visible_to(user).select_related("item", "department")


@router.post("/applications", response={201: ApplicationOut}, summary="申请服务（需登录）")
def apply(request, payload: ApplyIn):
    data = {k: v for k, v in payload.dict().items() if v is not None}
    item = data.pop("item", None)
    if item is None:
        raise Refusal("required", "请选择服务项目", "item")
    application = actions.apply(actor=request.user, item=item, **{
        "organisation_name": "", "credit_code": "", "applicant_kind": "", "contact_name": "",
        "contact_phone": "", "details": "", **data})
    return Status(201, _out(application, request.user))


@router.get("/applications", response=list[ApplicationOut],
            summary="服务申请：我的申请，或 queue=received|working|done 为本单位待办")
def list_applications(request, queue: str = "", page: int = 1, size: int = PAGE_SIZE):
    start, end = page_bounds(page, size)
    if queue:
        if queue not in QUEUE_STATES:
            raise Refusal("bad_queue", "queue 应为 received、working 或 done", "queue")
        require_role(request.user, PROVIDERS, "只有服务提供部门、城运中心和镇领导可以查看服务申请")
        rows = provider_queue(request.user, tab=queue)
    else:
        rows = Application.objects.filter(applicant=request.user).select_related("item")
    return [_out(a, request.user) for a in rows[start:end]]


@router.get("/applications/{int:application_id}", response=ApplicationOut,
            summary="服务申请详情（个人信息脱敏）")
def application_detail(request, application_id: int):
    return _out(get_object_or_404(_visible(request.user), pk=application_id), request.user)


@router.post("/applications/{int:application_id}/actions/{action}", response=ApplicationOut,
             summary="流转：accept 接单、decline 不予办理（reason）、start 开始服务、"
                     "complete 办结（result）、rate 评价（rating 1-5、comment）")
def act(request, application_id: int, action: str, payload: ActionIn):
    application = get_object_or_404(_visible(request.user), pk=application_id)
    data = {k: v for k, v in payload.dict().items() if v not in (None, "")}
    application, _event = actions.act(application, action, actor=request.user, **data)
    return _out(application, request.user)


# ----- visits ------------------------------------------------------------------------------

class VisitIn(Schema):
    key: str = Field(description="手机生成的幂等标识（UUID）：同一标识再次提交只保存一次")
    visited_on: dt.date
    visitors: str = Field(max_length=200)
    organisation: int | None = None
    place: int | None = None
    plan: int | None = None
    people_met: str = Field("", max_length=200)
    questions: str = Field("", max_length=2000)
    answers: str = Field("", max_length=2000)
    needs: list[str] = Field([], max_length=10)


class NeedOut(Schema):
    id: int
    description: str
    state: str
    application_id: int | None
    case_id: int | None


class VisitOut(Schema):
    id: int
    key: str
    visited_on: dt.date
    organisation_id: int | None
    place_id: int | None
    grid_id: int | None
    visitors: str
    questions: str
    answers: str
    needs: list[NeedOut] = Field([], alias="need_list")
    created: bool = True


def _visit_out(record, created=True):
    record.key = str(record.key)
    record.need_list = list(record.needs.all())
    record.created = created
    return record


@router.post("/visits", response={200: VisitOut, 201: VisitOut},
             summary="提交走访记录（幂等：同一 key 重复提交返回已保存的记录，200）")
def submit_visit(request, payload: VisitIn):
    from gridgov.grids.models import Place

    from . import visits
    from .models import Organisation, VisitPlan
    from .rules import VISIT_TEAM

    require_role(request.user, VISIT_TEAM, "只有走访服务团队可以记录走访")
    user = request.user
    organisation = place = plan = None
    if payload.organisation is not None:
        organisation = get_object_or_404(Organisation.objects.visible_to(user, roles=VISIT_TEAM),
                                         pk=payload.organisation)
    if payload.place is not None:
        place = get_object_or_404(Place.objects.visible_to(user), pk=payload.place)
    if payload.plan is not None:
        plan = get_object_or_404(VisitPlan.objects.visible_to(user, roles=VISIT_TEAM),
                                 pk=payload.plan)
    record, created = visits.submit_visit(
        actor=user, key=payload.key, visited_on=payload.visited_on, visitors=payload.visitors,
        organisation=organisation, place=place, plan=plan, people_met=payload.people_met,
        questions=payload.questions, answers=payload.answers, needs=payload.needs)
    return Status(201 if created else 200, _visit_out(record, created))


@router.get("/visits", response=list[VisitOut], summary="走访记录（本人范围内）")
def list_visits(request, page: int = 1, size: int = PAGE_SIZE):
    from .models import VisitRecord
    from .rules import COVERAGE_READERS, VISIT_TEAM

    start, end = page_bounds(page, size)
    rows = VisitRecord.objects.visible_to(request.user, roles=VISIT_TEAM | COVERAGE_READERS)
    return [_visit_out(r) for r in rows.prefetch_related("needs")[start:end]]


class FollowUpIn(Schema):
    to: str = Field(description="application 服务申请 | case 网格事件 | answered 现场已解决")
    item: int | None = Field(None, description="to=application：服务项目")
    contact_name: str = ""
    contact_phone: str = ""
    category: int | None = Field(None, description="to=case：事件分类")


@router.post("/visits/needs/{int:need_id}/follow-up", response=NeedOut,
             summary="走访诉求转办：转为服务申请或网格事件（双向关联），或现场已解决")
def follow_up(request, need_id: int, payload: FollowUpIn):
    from gridgov.cases.models import Category

    from . import visits
    from .models import VisitNeed
    from .rules import VISIT_TEAM

    need = get_object_or_404(VisitNeed.objects.visible_to(request.user, roles=VISIT_TEAM),
                             pk=need_id)
    if payload.to == "application":
        if payload.item is None:
            raise Refusal("required", "请选择服务项目", "item")
        item = get_object_or_404(ServiceItem.objects.active(), pk=payload.item)
        visits.follow_up_as_application(need, actor=request.user, item=item,
                                        contact_name=payload.contact_name,
                                        contact_phone=payload.contact_phone)
    elif payload.to == "case":
        category = Category.objects.filter(is_active=True, pk=payload.category or 0).first()
        if category is None:
            raise Refusal("required", "请选择事件分类", "category")
        visits.follow_up_as_case(need, actor=request.user, category=category)
    elif payload.to == "answered":
        visits.mark_answered(need, actor=request.user)
    else:
        raise Refusal("invalid_choice", "to 应为 application、case 或 answered", "to")
    need.refresh_from_db()
    return need


# ----- coverage ----------------------------------------------------------------------------

class CoverageRowOut(Schema):
    key: int | str | None
    label: str
    total: int
    organisation_covered: int
    work_covered: int
    both: int
    organisation_rate: float | None = Field(description="组织覆盖率（0-1；无组织时为空）")
    work_rate: float | None
    both_rate: float | None


class CoverageOut(Schema):
    by: str
    total: CoverageRowOut
    rows: list[CoverageRowOut]


class OrganisationOut(Schema):
    id: int
    name: str
    sector: str
    grid_id: int | None
    building_id: int | None
    organisation_covered: bool
    work_covered: bool


@router.get("/coverage", response=CoverageOut,
            summary="两个覆盖：按 grid 网格、building 楼宇、community 居民区或 sector 领域汇总")
def coverage_table(request, by: str = "grid"):
    from . import coverage
    from .rules import COVERAGE_READERS

    require_role(request.user, COVERAGE_READERS, "无权查看两个覆盖")
    if by not in coverage.GROUPS:
        raise Refusal("invalid_choice", "by 应为 grid、building、community 或 sector", "by")
    register = coverage.register_for(request.user)
    return {"by": by, "total": coverage.coverage_total(register).as_dict(),
            "rows": [r.as_dict() for r in coverage.coverage_by(register, by)]}


@router.get("/coverage/uncovered", response=list[OrganisationOut],
            summary="未全覆盖的组织（缺组织覆盖或工作覆盖）")
def uncovered(request, page: int = 1, size: int = PAGE_SIZE):
    from . import coverage
    from .rules import COVERAGE_READERS

    require_role(request.user, COVERAGE_READERS, "无权查看两个覆盖")
    start, end = page_bounds(page, size)
    return list(coverage.uncovered(coverage.register_for(request.user))[start:end])
