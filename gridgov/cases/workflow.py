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

Who: the operations centre (operator) of the case's town or community registers, dispatches,
closes, decides extensions, suspends, merges, reopens; a department's handlers accept, handle,
return and ask for extensions on the cases dispatched to it, and report in (报到) where their
department was called in; grid staff of the case's grid or community verify, escalate and handle
their own patrol finds on the spot; leaders and operators urge; the reporter (signed in, or
holding the tracking code) rates. Superusers may do anything a role may.

Every action is run by gridgov.core.workflow.Workflow.apply (lock, re-check, effect, event, audit,
notifications after commit); call it through gridgov.cases.actions.act().
"""

import secrets

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Role
from gridgov.core import workdays
from gridgov.core.scope import ScopeKind, roles_of, scope_ids
from gridgov.core.workflow import Workflow, WorkflowError, transition
from gridgov.grids.models import Department

from . import deadlines
from .models import (
    OPEN_STATES,
    Case,
    CaseEvent,
    CaseParticipant,
    CasePhoto,
    Category,
    ExtensionRequest,
    ExtensionStatus,
    PhotoPhase,
    Satisfaction,
    State,
    Urgency,
)

# The person who reported the case: not a role anyone is given, a relation to one case.
REPORTER = "reporter"
OPERATOR, HANDLER, GRID_STAFF, LEADER = Role.OPERATOR, Role.HANDLER, Role.GRID_STAFF, Role.LEADER
RUNNING = (State.REGISTERED, State.DISPATCHED, State.HANDLING)
MAX_EXTENSION_DAYS = 30


class TrackingCodeHolder:
    """An actor who is not signed in but holds a case's tracking code (查询码)."""

    is_authenticated = False
    is_superuser = False
    pk = None

    def __init__(self, code: str | None):
        self.code = (code or "").strip().upper()

    def __str__(self) -> str:
        return "查询码持有人"


def is_reporter(case: Case, user) -> bool:
    if isinstance(user, TrackingCodeHolder):
        return bool(user.code) and secrets.compare_digest(user.code, case.tracking_code)
    return bool(getattr(user, "is_authenticated", False) and case.reporter_id == user.pk)


def _in_scope(case: Case, user, role: str, action: str) -> bool:
    ids = scope_ids(user, [role])
    if role == HANDLER:
        departments = ids.get(ScopeKind.DEPARTMENT, set())
        if action == "report_in":
            return case.participants.filter(
                department_id__in=departments, reported_at=None
            ).exists()
        return case.department_id in departments
    return (
        case.town_id in ids.get(ScopeKind.TOWN, ())
        or case.community_id in ids.get(ScopeKind.COMMUNITY, ())
        or case.grid_id in ids.get(ScopeKind.GRID, ())
    )


def may_act(case: Case, user, t) -> bool:
    """Role and scope: one of the user's roles named by the transition covers this case."""
    if t.action == "self_handle" and case.reporter_id != user.pk:
        return False  # only the finder closes a problem on the spot
    if user.is_superuser:
        return True
    return any(_in_scope(case, user, role, t.action) for role in roles_of(user) & t.roles)


def awaiting_extension(case: Case) -> bool:
    return case.clock_paused_at is not None and case.state != State.SUSPENDED


# What the case itself must satisfy beyond its state; (code, message) when it does not. Read by
# allowed_actions (no button) and by the effect (a clear refusal).
CONDITIONS = {
    "request_extension": lambda c: awaiting_extension(c)
    and ("extension_pending", "已有待审批的延期申请"),
    "approve_extension": lambda c: not awaiting_extension(c)
    and ("no_pending_extension", "没有待审批的延期申请"),
    "refuse_extension": lambda c: not awaiting_extension(c)
    and ("no_pending_extension", "没有待审批的延期申请"),
    "suspend": lambda c: awaiting_extension(c)
    and ("extension_pending", "延期申请待审批，暂不能挂账"),
    "return": lambda c: awaiting_extension(c)
    and ("extension_pending", "延期申请待审批，暂不能退单"),
    "confirm_review": lambda c: not c.needs_review and ("no_review", "该事件没有待复核的评价"),
    "sample_verify": lambda c: (not c.is_self_handled or c.sample_checked_at is not None)
    and ("not_sampled", "只有尚未抽查的自行处置事件可以抽查核实"),
}


def refusal(case: Case, action: str) -> WorkflowError | None:
    condition = CONDITIONS.get(action)
    problem = condition(case) if condition else None
    return WorkflowError(*problem, "action") if problem else None


# Photos attached to these actions show the result; any other action's show the problem.
_AFTER_ACTIONS = {"handle", "self_handle", "verify", "fail_verification", "sample_verify"}


def _attach(case: Case, actor, action: str, data: dict) -> list[int]:
    """CasePhoto rows for the photos act() already stored; their ids, for the event."""
    rows = []
    for key, phase in (
        ("after_photos", PhotoPhase.AFTER),
        ("photos", PhotoPhase.AFTER if action in _AFTER_ACTIONS else PhotoPhase.BEFORE),
    ):
        for name in data.get(key) or ():
            rows.append(CasePhoto(case=case, phase=phase, image=name,
                                  uploaded_by=actor if getattr(actor, "pk", None) else None))
    return [p.pk for p in CasePhoto.objects.bulk_create(rows)] if rows else []


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def instance(model, value):
    """`value` if it is a `model`, else the row with that primary key; None for anything else
    (a missing row, "abc" from a form)."""
    if isinstance(value, model):
        return value
    try:
        return model.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None


# Effects: run on the locked case inside the transaction, before the state changes; they return
# what the event and the audit entry record.


def _register(case, *, actor, now, category=None, urgency=None, **_):
    if category is not None:
        chosen = instance(Category, category)
        if chosen is None or not chosen.is_active:
            raise WorkflowError("bad_category", "请选择有效的事部件分类", "category")
        case.category = chosen
    if urgency:
        if urgency not in Urgency.values:
            raise WorkflowError("bad_urgency", "紧急程度只能是一般或紧急", "urgency")
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
    target = instance(Case, into)
    if target is None or target.pk == case.pk or not Case.objects.visible_to(actor).filter(
        pk=target.pk
    ).exists():
        raise WorkflowError("bad_merge_target", "请选择您范围内的另一个事件作为合并目标", "into")
    target = Case.objects.select_for_update().get(pk=target.pk)
    if target.state not in (State.REPORTED, State.SUSPENDED, *OPEN_STATES):
        raise WorkflowError("bad_merge_target", "只能合并到尚未办结的事件", "into")
    case.merged_into = target
    CaseEvent.objects.create(
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
    if department is None:
        chosen = default_department(case)
        if chosen is None:
            raise WorkflowError("no_department", "未找到该类问题的默认处置部门，请指定部门", "department")
    else:
        chosen = instance(Department, department)
        if chosen is None or chosen.town_id != case.town_id:
            raise WorkflowError("bad_department", "只能派遣给本镇/街道的部门", "department")
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
    try:
        days = int(working_days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise WorkflowError("bad_working_days", f"延期天数应为1到{MAX_EXTENSION_DAYS}个工作日",
                    "working_days")
    ExtensionRequest.objects.create(case=case, requested_by=actor, requested_at=now,
                                    working_days=days, reason=note[:500])
    deadlines.pause(case, now)
    return {"working_days": days}


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
    try:
        wanted = {d.pk if isinstance(d, Department) else int(d) for d in departments}
    except (TypeError, ValueError):
        raise WorkflowError("bad_department", "请选择要召集的部门", "departments") from None
    found = list(Department.objects.filter(pk__in=wanted, town_id=case.town_id).order_by("pk"))
    if len(found) != len(wanted):
        raise WorkflowError("bad_department", "只能召集本镇/街道的部门", "departments")
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
    if satisfaction not in Satisfaction.values:
        raise WorkflowError("bad_satisfaction", "请选择满意、基本满意或不满意", "satisfaction")
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


def _effect(action: str, body):
    def effect(case, *, actor, note="", **data):
        problem = refusal(case, action)
        if problem:
            raise problem
        extra = body(case, actor=actor, note=note, now=deadlines.now(), **data) if body else {}
        photo_ids = _attach(case, actor, action, data)
        return {**extra, "photo_ids": photo_ids} if photo_ids else extra
    return effect


def _row(action, sources, target, roles, label, *, requires=(), effect=None, style="primary"):
    return transition(action, sources, target, roles, label, requires, _effect(action, effect),
                      style)


S = State
TRANSITIONS = (
    _row("register", S.REPORTED, S.REGISTERED, {OPERATOR}, _("立案"), effect=_register),
    _row("reject", S.REPORTED, S.REJECTED, {OPERATOR}, _("不予立案"), requires=("note",),
         style="secondary"),
    _row("self_handle", S.REPORTED, S.CLOSED, {GRID_STAFF}, _("自行处置"),
         requires=("after_photos",), effect=_self_handle),
    _row("merge", (S.REPORTED, S.REGISTERED, S.DISPATCHED), S.MERGED, {OPERATOR}, _("合并"),
         requires=("into",), effect=_merge, style="secondary"),
    _row("dispatch", (S.REGISTERED, S.DISPATCHED), S.DISPATCHED, {OPERATOR}, _("派遣"),
         effect=_dispatch),
    _row("accept", S.DISPATCHED, S.HANDLING, {HANDLER}, _("接单")),
    _row("return", (S.DISPATCHED, S.HANDLING), S.REGISTERED, {HANDLER}, _("退单"),
         requires=("note",), effect=_return, style="secondary"),
    _row("request_extension", S.HANDLING, None, {HANDLER}, _("申请延期"),
         requires=("working_days", "note"), effect=_request_extension, style="secondary"),
    _row("approve_extension", S.HANDLING, None, {OPERATOR}, _("批准延期"),
         effect=_approve_extension),
    _row("refuse_extension", S.HANDLING, None, {OPERATOR}, _("不批准延期"), requires=("note",),
         effect=_refuse_extension, style="secondary"),
    _row("suspend", RUNNING, S.SUSPENDED, {OPERATOR}, _("挂账"), requires=("note",),
         effect=_suspend, style="secondary"),
    _row("resume", S.SUSPENDED, None, {OPERATOR}, _("恢复办理"), effect=_resume),
    _row("urge", RUNNING, None, {OPERATOR, LEADER}, _("督办"), style="secondary"),
    _row("escalate", RUNNING, None, {GRID_STAFF, OPERATOR}, _("吹哨"),
         requires=("departments",), effect=_escalate, style="secondary"),
    _row("report_in", RUNNING, None, {HANDLER}, _("报到"), effect=_report_in),
    _row("handle", S.HANDLING, S.HANDLED, {HANDLER}, _("处置完毕"), requires=("after_photos",),
         effect=_handle),
    _row("verify", S.HANDLED, S.VERIFIED, {GRID_STAFF, OPERATOR}, _("核查通过")),
    _row("fail_verification", S.HANDLED, S.HANDLING, {GRID_STAFF, OPERATOR},
         _("核查不通过，返工"), requires=("note",), effect=_fail_verification, style="secondary"),
    _row("close", S.VERIFIED, S.CLOSED, {OPERATOR}, _("结案"), effect=_close),
    _row("evaluate", S.CLOSED, S.EVALUATED, {REPORTER, OPERATOR}, _("评价"),
         requires=("satisfaction",), effect=_evaluate),
    _row("confirm_review", S.EVALUATED, None, {OPERATOR}, _("维持结案"), requires=("note",),
         effect=_confirm_review),
    _row("reopen", (S.CLOSED, S.EVALUATED), S.REGISTERED, {OPERATOR}, _("重新办理"),
         requires=("note",), effect=_reopen, style="secondary"),
    _row("sample_verify", (S.CLOSED, S.EVALUATED), None, {OPERATOR}, _("抽查核实"),
         effect=_sample_verify, style="secondary"),
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


def record_event(case, *, transition, actor, from_state, note, data):
    event = CaseEvent.objects.create(
        case=case,
        action=transition.action,
        from_state=from_state,
        to_state=case.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label(actor)[:100],
        department_id=data.get("department") or case.department_id,
        note=note,
        data=data,
        at=deadlines.now(),
    )
    if data.get("photo_ids"):
        CasePhoto.objects.filter(pk__in=data["photo_ids"]).update(event=event)
    return event


class CaseWorkflow(Workflow):
    """The engine, plus the reporter's relation to a case (which is no role) and the conditions
    a case must meet beyond its state."""

    def _permitted(self, obj, user, t) -> bool:
        if REPORTER in t.roles and is_reporter(obj, user):
            return True
        return super()._permitted(obj, user, t)

    def allowed_actions(self, obj, user):
        return [t for t in super().allowed_actions(obj, user) if refusal(obj, t.action) is None]


CASE_WORKFLOW = CaseWorkflow(
    name="cases.case",
    model=Case,
    transitions=TRANSITIONS,
    may_act=may_act,
    record_event=record_event,
    lock_related=("category",),
)
