"""The closed loop of a case (GB/T 30428) as one transition table.

    reported ──register──▶ registered ──dispatch──▶ dispatched ──accept──▶ handling
       │  └─reject──▶ rejected          ▲  ▲           │  └──return (退单)──┘ │
       │  └─self_handle (自行处置)──▶ closed            └───── return ────────┤
       └─merge──▶ merged                                                    handle
    handling ◀─fail_verification (返工)── handled ──verify──▶ verified ──close──▶ closed
    closed ──evaluate──▶ evaluated;  closed / evaluated ──reopen──▶ registered
    registered / dispatched / handling ──suspend (挂账)──▶ suspended ──resume──▶ (back)

Actions that keep the state: urge (督办), escalate (吹哨: call departments in), report_in (报到),
request / approve / refuse an extension (延期; the clock stands still while a request waits),
confirm_review (after a 不满意 rating), sample_verify (抽查 of a self-handled case).

Reporting (from "", anyone; staff sources by the source policy, SOURCE_ROLES) creates the case;
the periodic sweep (gridgov.cases.sweep) marks a case warned and overdue as the system.

Who: the operations centre (operator) of the case's town or community registers, dispatches,
closes, decides extensions, suspends, merges, reopens; a department's handlers accept, handle,
return and ask for extensions on the cases dispatched to it, and report in (报到) where their
department was called in; grid staff of the case's grid or community verify, escalate and handle
their own patrol finds on the spot; leaders and operators urge; the reporter — a relation, not a
role: signed in, or holding the tracking code, of the case or of a duplicate merged into it —
rates. An administrator takes no step of the loop. Superusers may do anything a role may.

Each row declares its inputs (gridgov.core.inputs: the form and the API schema are derived from
them) and its guards (what the case must satisfy beyond its state: no button, a clear refusal).
Every action is run by gridgov.core.workflow.Workflow (lock, re-check, effect, event, audit,
notifications after commit); call it through gridgov.cases.actions.
"""

import secrets

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import CASE_SUPERVISORS, OPERATIONS_CENTRE, Role
from gridgov.core import pii, scope, workdays
from gridgov.core.inputs import Input
from gridgov.core.scope import ScopeKind, roles_of, scope_ids
from gridgov.core.workflow import (
    ANYONE,
    NEW,
    Guard,
    Relation,
    Standing,
    Workflow,
    WorkflowError,
    transition,
)
from gridgov.grids import lookup
from gridgov.grids.models import Department

from . import catalogue, deadlines
from .models import (
    OPEN_STATES,
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseParticipant,
    CasePhoto,
    Category,
    ExtensionRequest,
    ExtensionStatus,
    PhotoPhase,
    Satisfaction,
    Source,
    State,
    Urgency,
)

HANDLER, GRID_STAFF = Role.HANDLER, Role.GRID_STAFF
RUNNING = (State.REGISTERED, State.DISPATCHED, State.HANDLING)
MAX_EXTENSION_DAYS = 30
# Roughly China's extent: a point outside is a slip of the finger or a broken GPS fix.
LONGITUDE_RANGE, LATITUDE_RANGE = (73.0, 136.0), (3.0, 54.0)


class TrackingCodeHolder:
    """An actor who is not signed in but holds a case's tracking code (查询码)."""

    is_authenticated = False
    is_superuser = False
    pk = None

    def __init__(self, code: str | None):
        self.code = (code or "").strip().upper()

    def __str__(self) -> str:
        return "查询码持有人"


def _merged_into(case: Case) -> list[Case]:
    """The case and every duplicate merged into it, at any depth."""
    found, level = [case], [case.pk]
    while level:
        merged = list(Case.objects.filter(merged_into_id__in=level).only(
            "pk", "reporter_id", "tracking_code", "merged_into_id"))
        found += merged
        level = [c.pk for c in merged]
    return found


def is_reporter(case: Case, user) -> bool:
    """The reporter of the case, or of a duplicate merged into it: they follow this case now."""
    if case.pk is None:
        return False
    if isinstance(user, TrackingCodeHolder):
        return bool(user.code) and any(secrets.compare_digest(user.code, c.tracking_code)
                                       for c in _merged_into(case))
    if not getattr(user, "is_authenticated", False):
        return False
    return case.reporter_id == user.pk or any(c.reporter_id == user.pk
                                              for c in _merged_into(case))


REPORTER = Relation("reporter", is_reporter)


def standing(case: Case, user, role: str, t) -> Standing | None:
    """The unit in which `user` holds `role` over this case: a handler's department (the one
    the case is dispatched to, or one called in that has not reported in yet), else the grid,
    community or town of the case."""
    ids = scope_ids(user, [role])
    if role == HANDLER:
        departments = ids.get(ScopeKind.DEPARTMENT, set())
        if t.action == "report_in":
            waiting = case.participants.filter(department_id__in=departments, reported_at=None)
            department = waiting.values_list("department_id", flat=True).first()
        else:
            department = case.department_id if case.department_id in departments else None
        return Standing(role, ScopeKind.DEPARTMENT, department) if department else None
    for kind, unit in ((ScopeKind.GRID, case.grid_id), (ScopeKind.COMMUNITY, case.community_id),
                       (ScopeKind.TOWN, case.town_id)):
        if unit is not None and unit in ids.get(kind, ()):
            return Standing(role, kind, unit)
    return None


def awaiting_extension(case: Case) -> bool:
    return case.clock_paused_at is not None and case.state != State.SUSPENDED


def _guard(condition, code: str, message: str) -> Guard:
    """A guard on the case alone (the actor does not matter)."""
    return Guard(lambda case, user: condition(case), code, message)


NO_PENDING_EXTENSION = _guard(lambda c: not awaiting_extension(c), "extension_pending",
                              _("已有待审批的延期申请"))
PENDING_EXTENSION = _guard(awaiting_extension, "no_pending_extension", _("没有待审批的延期申请"))
THE_FINDER = Guard(lambda case, user: case.reporter_id is not None
                   and case.reporter_id == getattr(user, "pk", None),
                   "forbidden", _("只有发现问题的网格员本人可以自行处置"))

# Sources under which staff file a case at work (a patrol find, a hotline call, a visit).
STAFF_SOURCES = frozenset({Source.PATROL, Source.HOTLINE, Source.DEPUTY, Source.VISIT})
NOT_ONES_OWN_FILING = Guard(
    lambda case, user: not (case.source in STAFF_SOURCES and case.reporter_id is not None
                            and case.reporter_id == getattr(user, "pk", None)),
    "own_case", _("工作人员不能评价自己上报的事件"))


# Who may file a case under which source (None: anyone). The report form offers, the API
# accepts and report_case checks these, and nothing else: a handler or a leader files no
# "12345" case. Open311 cases come only through the adapter, with a partner's key.
SOURCE_ROLES = {
    Source.RESIDENT: None,
    Source.PATROL: frozenset({GRID_STAFF}),
    Source.HOTLINE: OPERATIONS_CENTRE,
    Source.DEPUTY: OPERATIONS_CENTRE,
    Source.VISIT: OPERATIONS_CENTRE,
    Source.OPEN311: frozenset(),
}


# Source.values builds its list (and every label) anew at each call; every report asks.
_SOURCES = tuple(Source.values)


def sources_for(user) -> list[str]:
    """The sources this user may file a case under, in the order of Source."""
    if getattr(user, "is_superuser", False):
        return [s for s in _SOURCES if s != Source.OPEN311]
    roles = roles_of(user)
    return [s for s in _SOURCES if SOURCE_ROLES[s] is None or SOURCE_ROLES[s] & roles]


def _check_source(case: Case, actor, source: str, origin_type: str) -> None:
    if source == Source.OPEN311:
        if origin_type != "open311":
            raise WorkflowError("forbidden", "开放接口来源只能由 Open311 接口提交", "source")
        return
    if source not in sources_for(actor):
        raise WorkflowError("forbidden", "您不能以该来源登记事件", "source")
    if source == Source.PATROL and not getattr(actor, "is_superuser", False) and standing(
            case, actor, GRID_STAFF, REPORT) is None:
        raise WorkflowError("forbidden", "只有本网格的网格员可以上报巡查发现的问题", "source")


def _town_departments(case, user):
    return Department.objects.filter(town_id=case.town_id)


def _merge_targets(case, user):
    """The cases a duplicate may be merged into: another case this user sees, not finished."""
    return Case.objects.visible_to(user).filter(
        state__in=(State.REPORTED, State.SUSPENDED, *OPEN_STATES)).exclude(pk=case.pk)


# The inputs of the table, each declared once.
NOTE = Input("note", "text", _("说明"), max=1000)
DESCRIPTION = Input("description", "text", _("问题描述"), required=True, min=5, max=2000,
                    invalid=_("问题描述应为5到2000个字"))
LONGITUDE = Input("longitude", "float", _("经度"), required=True, min=LONGITUDE_RANGE[0],
                  max=LONGITUDE_RANGE[1], invalid=_("位置不正确，请在地图上重新点选"),
                  code="bad_location")
LATITUDE = Input("latitude", "float", _("纬度"), required=True, min=LATITUDE_RANGE[0],
                 max=LATITUDE_RANGE[1], invalid=_("位置不正确，请在地图上重新点选"),
                 code="bad_location")
CATEGORY = Input("category", "ref", _("分类"), snapshot=catalogue.ACTIVE,
                 invalid=_("所选问题类型不存在或已停用，请重新选择"), code="bad_category")
URGENCY = Input("urgency", "choice", _("紧急程度"), choices=tuple(Urgency.choices),
                invalid=_("紧急程度只能是一般或紧急"), code="bad_urgency")
SOURCE = Input("source", "choice", _("来源"), choices=tuple(Source.choices),
               invalid=_("来源不正确"), code="bad_source", default=Source.RESIDENT)
DEPARTMENT = Input("department", "ref", _("处置部门"), queryset=_town_departments,
                   invalid=_("只能派遣给本镇/街道的部门"), code="bad_department",
                   help=_("空则按分类默认部门"))
DEPARTMENTS = Input("departments", "refs", _("召集部门"), required=True,
                    queryset=_town_departments, invalid=_("只能召集本镇/街道的部门"),
                    code="bad_department")
WORKING_DAYS = Input("working_days", "int", _("延期工作日"), required=True, min=1,
                     max=MAX_EXTENSION_DAYS, code="bad_working_days",
                     invalid=format_lazy(_("延期天数应为1到{max}个工作日"), max=MAX_EXTENSION_DAYS))
INTO = Input("into", "ref", _("合并到事件编号"), required=True, queryset=_merge_targets,
             lookup="number", max=20, invalid=_("未找到该编号的事件，或不在您的范围内、已办结"),
             code="bad_merge_target")
SATISFACTION = Input("satisfaction", "choice", _("满意程度"), required=True,
                     choices=tuple(Satisfaction.choices),
                     invalid=_("请选择满意、基本满意或不满意"), code="bad_satisfaction")
REASON = Input("reason", "text", _("不满意原因"), max=500)
# The public reply (答复) of the unit that acted, shown to the reporter; the note stays internal.
REPLY = Input("reply", "text", _("答复反映人（对方可见）"), max=1000,
              help=_("反映人在办理进度中看到的答复；“说明”只有工作人员能看到"))
PHOTOS = Input("photos", "files", _("现场照片"))
AFTER_PHOTOS = Input("after_photos", "files", _("处置后照片"), required=True)
REPORT_INPUTS = (
    CATEGORY.required_as(True), DESCRIPTION, LONGITUDE, LATITUDE,
    Input("address", "text", _("地址或位置说明"), max=200),
    SOURCE, URGENCY,
    Input("reporter_name", "text", _("联系人"), max=50),
    Input("reporter_phone", "text", _("联系电话"), max=20),
    Input("is_anonymous", "bool", _("匿名反映（不留联系方式）")),
    Input("self_handled", "bool", _("已现场自行处置")),
    PHOTOS,
)


# Photos attached to these actions show the result; any other action's show the problem.
_AFTER_ACTIONS = {"handle", "self_handle", "verify", "fail_verification", "sample_verify"}


def _attach(event: CaseEvent, uploaded_by, inputs: dict) -> None:
    """CasePhoto rows for the photos the action's caller already stored, on its event."""
    rows = []
    for key, phase in (
        ("after_photos", PhotoPhase.AFTER),
        ("photos", PhotoPhase.AFTER if event.action in _AFTER_ACTIONS else PhotoPhase.BEFORE),
    ):
        for name in inputs.get(key) or ():
            rows.append(CasePhoto(case=event.case, event=event, phase=phase, image=name,
                                  uploaded_by=uploaded_by))
    if rows:
        CasePhoto.objects.bulk_create(rows)


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


# Effects: run on the locked case inside the transaction, before the state changes; they return
# what the event and the audit entry record.


def _number_prefix() -> str:
    from django.conf import settings

    return getattr(settings, "GRIDGOV_CASE_NUMBER_PREFIX", "XJ")


def next_number(moment) -> str:
    """"XJ" + the day + that day's sequence: XJ20261123000042. One statement takes the number
    (an upsert that returns the new count), in the caller's transaction if there is one, else
    committed at once. Numbers never repeat; a report refused after taking one may leave a gap."""
    return _take_number(moment, without_waiting=False)


def next_number_apart(moment) -> str:
    """next_number() committed at once, before the report that uses it, without waiting for the
    disk: the report's own commit, later in the same write-ahead log, makes the number durable
    with it. A crash in between loses only a number no case holds, which may then be given
    again. (A synchronous commit waits for the disk, several milliseconds here.) Inside a
    caller's transaction the number is simply taken in it, which commits as the caller does."""
    if connection.in_atomic_block or connection.vendor != "postgresql":
        return next_number(moment)
    return _take_number(moment, without_waiting=True)


def _take_number(moment, *, without_waiting: bool) -> str:
    day = timezone.localdate(moment)
    table = CaseNumberSequence._meta.db_table
    # Without waiting: the statement is its own transaction (autocommit), and set_config(…,
    # true) turns synchronous_commit off for that transaction alone — one round trip, where
    # BEGIN, SET LOCAL, the upsert and COMMIT took four.
    quick = (" FROM (SELECT set_config('synchronous_commit', 'off', true)) AS quick"
             if without_waiting else "")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) SELECT %s, 1{quick} "  # nosec B608  # the table name is the model's; the day a parameter
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [connection.ops.adapt_datefield_value(day)],
        )
        (last,) = cursor.fetchone()
    return f"{_number_prefix()}{day:%Y%m%d}{last:06d}"


def _place_report(case, *, actor, longitude, latitude, source, reporter_name, reporter_phone,
                  is_anonymous, town=None, origin_type="", **_):
    """A new case placed in its grid (or the given town), filed under a source the actor may
    use, with a contact that is a phone number: read and checked before the report's
    transaction."""
    if is_anonymous:
        reporter_name = reporter_phone = ""
    reporter_phone = pii.normalize_phone(reporter_phone)
    if reporter_phone and not pii.is_valid_contact_phone(reporter_phone):
        raise WorkflowError("bad_phone", "请填写正确的手机号或固定电话", "reporter_phone")
    case.reporter_name, case.reporter_phone = reporter_name, reporter_phone
    case.town_id, case.community_id, case.grid_id = lookup.place(longitude, latitude, town=town)
    _check_source(case, actor, source, origin_type)


def _report(case, *, actor, now, category, description, longitude, latitude, address, source,
            urgency, is_anonymous, origin_type="", origin_id="", is_sample=False, number=None,
            **_):
    """The placed case numbered and filled in; a signed-in reporter who is not anonymous
    follows it in their own list."""
    signed_in = getattr(actor, "is_authenticated", False)
    case.number = number or next_number(now)
    case.category, case.source, case.description = category, source, description
    case.address, case.longitude, case.latitude = address, longitude, latitude
    case.urgency = urgency or category.urgency
    case.reporter = actor if signed_in and not is_anonymous else None
    case.is_anonymous, case.reported_at = is_anonymous, now
    case.origin_type, case.origin_id, case.is_sample = origin_type, str(origin_id or ""), is_sample
    return {"source": source, "category": category.pk, "grid": case.grid_id,
            "anonymous": is_anonymous}


def _register(case, *, actor, now, category=None, urgency=None, **_):
    if category is not None:
        case.category = category
    if urgency:
        case.urgency = urgency
    case.registered_at = now
    deadlines.start_clock(case, now)
    return {"category": case.category_id, "urgency": case.urgency, "due_at": _iso(case.due_at)}


def _self_handle(case, *, now, **_):
    if not case.photos.filter(phase=PhotoPhase.BEFORE).exists():
        raise WorkflowError("required", "自行处置需要处置前照片", "photos")
    case.is_self_handled = True
    case.registered_at = case.handled_at = now
    deadlines.start_clock(case, now)
    deadlines.finish(case, now)
    return {"due_at": _iso(case.due_at)}


def _merge(case, *, actor, into, now, **_):
    # Locked and checked again: the target may have moved since the input was read.
    target = _merge_targets(case, actor).select_for_update().filter(pk=into.pk).first()
    if target is None:
        raise WorkflowError("bad_merge_target", "只能合并到尚未办结的事件", "into")
    case.merged_into = target
    # Merging stops the duplicate's clock (a merged case is in no CLOCK_STATES): it is never
    # overdue again; the case it joined carries the deadline.
    CaseEvent.write(
        case=target, action="merge_in", from_state=target.state, to_state=target.state,
        actor=actor, actor_label=actor_label(actor)[:100], note=f"合并了重复事件{case.number}",
        data={"merged": case.pk, "merged_number": case.number}, at=now,
    )
    return {"into": target.pk, "into_number": target.number}


def default_department(case: Case):
    """The department of the category's kind in the case's town, the one serving the case's
    community first (a 居委会, a 物业), then a town-wide one."""
    candidates = Department.objects.filter(town_id=case.town_id, kind=case.category.department_kind)
    if case.community_id:
        local = candidates.filter(community_id=case.community_id).order_by("pk").first()
        if local is not None:
            return local
    return candidates.filter(community=None).order_by("pk").first()


def _dispatch(case, *, now, department=None, **_):
    chosen = department or default_department(case)
    if chosen is None:
        raise WorkflowError("no_department", "未找到该类问题的默认处置部门，请指定部门", "department")
    if case.state == State.DISPATCHED and chosen.pk == case.department_id:
        raise WorkflowError("same_department", "该事件已派遣给这个部门", "department")
    case.department = chosen
    case.dispatched_at = now
    return {"department": chosen.pk, "department_name": chosen.name}


def _return(case, **_):
    returned_by = case.department_id
    case.return_count += 1
    case.department = None
    return {"department": returned_by, "return_count": case.return_count}


def _request_extension(case, *, actor, note, working_days, now, **_):
    ExtensionRequest.objects.create(case=case, requested_by=actor, requested_at=now,
                                    working_days=working_days, reason=note[:500])
    deadlines.pause(case, now)
    return {"working_days": working_days}


def _decide_extension(case, actor, now, status) -> ExtensionRequest:
    request = case.extension_requests.select_for_update().get(status=ExtensionStatus.PENDING)
    request.status, request.decided_by, request.decided_at = status, actor, now
    request.save(update_fields=["status", "decided_by", "decided_at"])
    return request


def _approve_extension(case, *, actor, now, **_):
    request = _decide_extension(case, actor, now, ExtensionStatus.APPROVED)
    deadlines.resume(case, now, extra_working_days=request.working_days)
    return {"working_days": request.working_days, "due_at": _iso(case.due_at)}


def _refuse_extension(case, *, actor, now, **_):
    _decide_extension(case, actor, now, ExtensionStatus.REFUSED)
    deadlines.resume(case, now)
    return {"due_at": _iso(case.due_at)}


def _suspend(case, *, now, **_):
    case.state_before_suspension = case.state
    deadlines.pause(case, now)
    return {}


def _resume(case, *, now, **_):
    case.state = case.state_before_suspension or State.REGISTERED
    case.state_before_suspension = ""
    hours = deadlines.resume(case, now)
    return {"paused_hours": round(hours, 2), "due_at": _iso(case.due_at)}


def _escalate(case, *, note, departments, now, **_):
    found = sorted(departments, key=lambda d: d.pk)
    already = set(case.participants.values_list("department_id", flat=True))
    called = [d for d in found if d.pk not in already]
    if not called:
        raise WorkflowError("already_called", "这些部门已在协同处置中", "departments")
    CaseParticipant.objects.bulk_create(
        [CaseParticipant(case=case, department=d, called_at=now, note=note[:300]) for d in called]
    )
    return {"departments": [d.pk for d in called], "department_names": [d.name for d in called]}


def _report_in(case, *, actor, now, **_):
    mine = scope_ids(actor, [HANDLER]).get(ScopeKind.DEPARTMENT, set())
    waiting = case.participants.filter(reported_at=None)
    if not actor.is_superuser:
        waiting = waiting.filter(department_id__in=mine)
    departments = list(waiting.values_list("department_id", flat=True))
    waiting.update(reported_at=now)
    return {"departments": departments}


def _handle(case, *, actor, now, **_):
    if awaiting_extension(case):
        # Finished before the decision: the request is moot and the clock runs again.
        case.extension_requests.filter(status=ExtensionStatus.PENDING).update(
            status=ExtensionStatus.WITHDRAWN, decided_at=now)
        deadlines.resume(case, now)
    case.handled_at = now
    return {}


def _fail_verification(case, **_):
    case.rework_count += 1
    case.handled_at = None
    return {"rework_count": case.rework_count}


def _close(case, *, now, **_):
    deadlines.finish(case, now)
    return {"closed_on_time": case.closed_on_time, "handling_hours": case.handling_hours}


def _evaluate(case, *, note, satisfaction, reason="", **_):
    reason = (reason or note).strip()
    unsatisfied = satisfaction == Satisfaction.UNSATISFIED
    if unsatisfied and not reason:
        raise WorkflowError("required", "请说明不满意的原因", "reason")
    case.satisfaction, case.satisfaction_reason = satisfaction, reason[:500]
    case.needs_review = unsatisfied
    return {"satisfaction": satisfaction}


def _confirm_review(case, **_):
    case.needs_review = False
    return {}


def _reopen(case, *, now, **_):
    if case.closed_at is not None:
        # The clock stood still while the case was closed.
        case.paused_hours += workdays.working_hours_between(case.closed_at, now)
    case.closed_at = case.closed_on_time = case.handling_hours = case.handled_at = None
    case.satisfaction = case.satisfaction_reason = ""
    case.needs_review = False
    case.department = None
    deadlines.start_clock(case, now)
    return {"due_at": _iso(case.due_at)}


def _sample_verify(case, *, now, **_):
    case.sample_checked_at = now
    return {}


def _announce(case, **_):
    return {"due_at": _iso(case.due_at)}


def _effect(body):
    """The effect as the engine calls it, with the workflow's moment (deadlines.now())."""
    def effect(case, *, actor, note="", **data):
        return body(case, actor=actor, note=note, now=deadlines.now(), **data) if body else {}
    return effect


def _row(action, sources, target, roles, label, *, inputs=(), effect=None, **options):
    """A row of the table; every action takes a note, required when the row says so."""
    if not any(i.name == "note" for i in inputs):
        inputs = (NOTE, *inputs)
    return transition(action, sources, target, roles, label, inputs=inputs,
                      effect=_effect(effect), **options)


S = State
OPERATOR, SUPERVISORS = OPERATIONS_CENTRE, CASE_SUPERVISORS
NEEDS_NOTE = NOTE.required_as(True)
REPORT = transition("report", NEW, S.REPORTED, {GRID_STAFF, *OPERATOR}, _("上报"),
                    inputs=REPORT_INPUTS, relations=(ANYONE,), effect=_effect(_report),
                    prepare=_place_report)
TRANSITIONS = (
    REPORT,
    _row("register", S.REPORTED, S.REGISTERED, OPERATOR, _("立案"), inputs=(CATEGORY, URGENCY),
         effect=_register),
    _row("reject", S.REPORTED, S.REJECTED, OPERATOR, _("不予立案"), inputs=(NEEDS_NOTE,),
         style="secondary"),
    _row("self_handle", S.REPORTED, S.CLOSED, {GRID_STAFF}, _("自行处置"),
         inputs=(AFTER_PHOTOS,), guards=(THE_FINDER,), effect=_self_handle),
    _row("merge", (S.REPORTED, S.REGISTERED, S.DISPATCHED), S.MERGED, OPERATOR, _("合并"),
         inputs=(INTO,), effect=_merge, style="secondary"),
    _row("dispatch", (S.REGISTERED, S.DISPATCHED), S.DISPATCHED, OPERATOR, _("派遣"),
         inputs=(DEPARTMENT,), effect=_dispatch),
    _row("accept", S.DISPATCHED, S.HANDLING, {HANDLER}, _("接单"), inputs=(REPLY,)),
    _row("return", (S.DISPATCHED, S.HANDLING), S.REGISTERED, {HANDLER}, _("退单"),
         inputs=(NEEDS_NOTE,), guards=(_guard(lambda c: not awaiting_extension(c),
                                              "extension_pending", _("延期申请待审批，暂不能退单")),),
         effect=_return, style="secondary"),
    _row("request_extension", S.HANDLING, None, {HANDLER}, _("申请延期"),
         inputs=(WORKING_DAYS, NEEDS_NOTE), guards=(NO_PENDING_EXTENSION,),
         effect=_request_extension, style="secondary", past="extension_requested"),
    _row("approve_extension", S.HANDLING, None, OPERATOR, _("批准延期"),
         guards=(PENDING_EXTENSION,), effect=_approve_extension, past="extension_approved"),
    _row("refuse_extension", S.HANDLING, None, OPERATOR, _("不批准延期"), inputs=(NEEDS_NOTE,),
         guards=(PENDING_EXTENSION,), effect=_refuse_extension, style="secondary",
         past="extension_refused"),
    _row("suspend", RUNNING, S.SUSPENDED, OPERATOR, _("挂账"), inputs=(NEEDS_NOTE,),
         guards=(_guard(lambda c: not awaiting_extension(c), "extension_pending",
                        _("延期申请待审批，暂不能挂账")),),
         effect=_suspend, style="secondary"),
    _row("resume", S.SUSPENDED, None, OPERATOR, _("恢复办理"), effect=_resume),
    _row("urge", RUNNING, None, SUPERVISORS, _("督办"), style="secondary"),
    _row("escalate", RUNNING, None, {GRID_STAFF, *OPERATOR}, _("吹哨"),
         inputs=(DEPARTMENTS,), effect=_escalate, style="secondary"),
    _row("report_in", RUNNING, None, {HANDLER}, _("报到"), effect=_report_in, past="reported_in"),
    _row("handle", S.HANDLING, S.HANDLED, {HANDLER}, _("处置完毕"), inputs=(AFTER_PHOTOS, REPLY),
         effect=_handle),
    _row("verify", S.HANDLED, S.VERIFIED, {GRID_STAFF, *OPERATOR}, _("核查通过"),
         inputs=(PHOTOS,)),
    _row("fail_verification", S.HANDLED, S.HANDLING, {GRID_STAFF, *OPERATOR},
         _("核查不通过，返工"), inputs=(NEEDS_NOTE, PHOTOS), effect=_fail_verification,
         style="secondary", past="verification_failed"),
    _row("close", S.VERIFIED, S.CLOSED, OPERATOR, _("结案"), inputs=(REPLY,), effect=_close),
    _row("evaluate", S.CLOSED, S.EVALUATED, OPERATOR, _("评价"), relations=(REPORTER,),
         inputs=(SATISFACTION, REASON), guards=(NOT_ONES_OWN_FILING,), effect=_evaluate),
    _row("confirm_review", S.EVALUATED, None, OPERATOR, _("维持结案"), inputs=(NEEDS_NOTE, REPLY),
         guards=(_guard(lambda c: c.needs_review, "no_review", _("该事件没有待复核的评价")),),
         effect=_confirm_review, past="review_confirmed"),
    _row("reopen", (S.CLOSED, S.EVALUATED), S.REGISTERED, OPERATOR, _("重新办理"),
         inputs=(NEEDS_NOTE, REPLY), effect=_reopen, style="secondary"),
    _row("sample_verify", (S.CLOSED, S.EVALUATED), None, OPERATOR, _("抽查核实"),
         guards=(_guard(lambda c: c.is_self_handled and c.sample_checked_at is None,
                        "not_sampled", _("只有尚未抽查的自行处置事件可以抽查核实")),),
         effect=_sample_verify, style="secondary"),
    # The periodic sweep (gridgov.cases.sweep), as the system: the warning time, the deadline.
    _row("warned", OPEN_STATES, None, (), _("临期预警"), effect=_announce, system=True,
         past="warned"),
    _row("overdue", OPEN_STATES, None, (), _("超期"), effect=_announce, system=True,
         past="became_overdue"),
)


def actor_label(actor) -> str:
    """How the timeline names who acted: a signed-in person masked, otherwise what they are."""
    if actor is None:
        return "系统"
    if isinstance(actor, TrackingCodeHolder):
        return str(actor)
    if not getattr(actor, "is_authenticated", False):
        return "匿名上报人"
    return str(actor)


def _shown_actor(case: Case, actor, action: str):
    """Who the timeline names: an anonymous reporter stays anonymous to staff (only the audit
    log keeps the account)."""
    if action == "report" and case.is_anonymous:
        return None
    return actor


def unit_label(kind: str, unit_id: int | None) -> str:
    if not kind or unit_id is None:
        return ""
    record = scope.kind(kind).records([unit_id]).get(unit_id)
    return str(record) if record is not None else ""


def record_event(case, *, transition, actor, standing, from_state, note, data, inputs):
    shown = _shown_actor(case, actor, transition.action)
    if standing is not None and standing.unit_kind:
        from dataclasses import replace

        standing = replace(standing, unit_label=unit_label(standing.unit_kind, standing.unit_id))
    label = "匿名上报人" if shown is None and actor is not None else actor_label(actor)
    event = CaseEvent.write(
        case=case,
        department_id=data.get("department") or case.department_id,
        **CaseEvent.fields_for(transition=transition, actor=shown, label=label,
                               standing=standing, from_state=from_state, to_state=case.state,
                               note=note, data=data, at=deadlines.now()),
        reply=(inputs.get("reply") or "").strip(),
    )
    _attach(event, shown if getattr(shown, "pk", None) else None, inputs)
    return event


# What acting on a case may ask for (the API's one schema of action inputs).
ACTION_INPUTS = tuple(i for t in TRANSITIONS if NEW not in t.sources and not t.system
                      for i in t.inputs)

CASE_WORKFLOW = Workflow(
    name="cases.case",
    model=Case,
    transitions=TRANSITIONS,
    standing=standing,
    record_event=record_event,
    lock_related=("category",),
)
