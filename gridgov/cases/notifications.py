"""Who hears about what happens to a case: notices written to the outbox (gridgov.core.notify).

Each CaseEvent action names the groups it concerns (RULES): the reporters (including those of
duplicates merged into the case), the handlers of its department or of departments called in, its
supervisors (the operations centre of its town or community), the grid staff of its grid. The
notices are written in the event's own transaction (the workflow's in-transaction
`event_recorded` signal, for reports, moves and the deadline sweep alike), so a refused move
leaves none; `gridgov tick` delivers them on the configured channels, and a failing channel
never undoes the move.
"""

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from gridgov.accounts.models import RoleAssignment
from gridgov.accounts.roles import Role
from gridgov.core import notify
from gridgov.core.models import Notice
from gridgov.core.scope import ScopeKind

from . import public
from .models import Case, CaseEvent, Satisfaction

# Recipient groups.
REPORTERS, DEPARTMENT, PARTICIPANTS, CALLED_IN, SUPERVISORS, GRID_STAFF = (
    "reporters", "department", "participants", "called_in", "supervisors", "grid_staff",
)

RULES: dict[str, tuple[tuple[str, ...], str]] = {
    "report": ((REPORTERS,), "您反映的问题已收到，编号{number}，查询码{code}，可凭查询码查看进展。"),
    "register": ((REPORTERS,), "您反映的问题（编号{number}）已立案，将尽快派遣处置。"),
    # A reporter is told the public reply only, never an internal note (gridgov.cases.public).
    "reject": ((REPORTERS,), "您反映的问题（编号{number}）不予立案{reply}"),
    "merge": ((REPORTERS,), "您反映的问题（编号{number}）与同一问题（编号{into}）合并办理，进展将继续通知您。"),
    "dispatch": ((DEPARTMENT,), "新派遣工单{number}：{category}，{address}，请于{due}前处置完毕。"),
    "accept": ((REPORTERS,), "您反映的问题（编号{number}）已由处置部门受理，正在处置。"),
    "return": ((SUPERVISORS,), "工单{number}被退回：{note}"),
    "request_extension": ((SUPERVISORS,), "工单{number}申请延期：{note}"),
    "approve_extension": ((DEPARTMENT,), "工单{number}延期已批准，新的处置时限为{due}。"),
    "refuse_extension": ((DEPARTMENT,), "工单{number}延期未批准：{note}，处置时限为{due}。"),
    "suspend": ((DEPARTMENT,), "工单{number}已挂账：{note}"),
    "resume": ((DEPARTMENT,), "工单{number}恢复办理，处置时限为{due}。"),
    "urge": ((DEPARTMENT, PARTICIPANTS), "督办：工单{number}（{category}）请抓紧处置。{note}"),
    "escalate": ((CALLED_IN,), "吹哨：网格请求协同处置工单{number}（{category}，{address}），请报到。"),
    "report_in": ((SUPERVISORS, GRID_STAFF), "工单{number}：协同部门已报到。"),
    "handle": ((GRID_STAFF, SUPERVISORS), "工单{number}已处置完毕，请核查。"),
    "fail_verification": ((DEPARTMENT,), "工单{number}核查未通过，请返工：{note}"),
    "close": ((REPORTERS,), "您反映的问题（编号{number}）已办结，欢迎凭查询码{code}评价。"),
    "evaluate": ((SUPERVISORS,), "工单{number}评价为不满意，请复核：{note}"),
    "confirm_review": ((REPORTERS,), "您反映的问题（编号{number}）经复核维持办结{reply}"),
    "reopen": ((REPORTERS, SUPERVISORS), "您反映的问题（编号{number}）已重新办理。"),
    "warned": ((DEPARTMENT,), "预警：工单{number}将于{due}到期，请抓紧处置。"),
    "overdue": ((SUPERVISORS, DEPARTMENT), "超期：工单{number}（{category}）已超过处置时限{due}。"),
}


def _users_with(role: str, condition: Q) -> set[int]:
    return set(
        RoleAssignment.objects.filter(condition, role=role).values_list("user_id", flat=True)
    )


def handlers_of(department_ids: Iterable[int]) -> set[int]:
    ids = [d for d in department_ids if d]
    if not ids:
        return set()
    return _users_with(Role.HANDLER, Q(scope_kind=ScopeKind.DEPARTMENT, scope_id__in=ids))


def supervisors_of(case: Case) -> set[int]:
    condition = Q(scope_kind=ScopeKind.TOWN, scope_id=case.town_id)
    if case.community_id:
        condition |= Q(scope_kind=ScopeKind.COMMUNITY, scope_id=case.community_id)
    return _users_with(Role.OPERATOR, condition)


def grid_staff_of(case: Case) -> set[int]:
    condition = Q(pk__in=[])
    if case.grid_id:
        condition |= Q(scope_kind=ScopeKind.GRID, scope_id=case.grid_id)
    if case.community_id:
        condition |= Q(scope_kind=ScopeKind.COMMUNITY, scope_id=case.community_id)
    return _users_with(Role.GRID_STAFF, condition)


def reporters_of(case: Case, *, with_merged: bool = True) -> tuple[set[int], set[str]]:
    """The case's reporter and those of every duplicate merged into it (at any depth): user ids,
    and phone numbers of reporters who left one without an account. Anonymous reporters follow
    their case by its tracking code."""
    users, phones = set(), set()
    level = [case.pk] if with_merged else []
    seen = set(level)
    reporters = [(case.reporter_id, case.is_anonymous, case.reporter_phone)]
    while level:
        merged = list(Case.objects.filter(merged_into_id__in=level).order_by().values_list(
            "pk", "reporter_id", "is_anonymous", "reporter_phone"))
        level = [pk for pk, *_ in merged if pk not in seen]
        seen.update(level)
        reporters += [reporter for pk, *reporter in merged if pk in level]
    for reporter_id, anonymous, phone in reporters:
        if reporter_id:
            users.add(reporter_id)
        elif not anonymous and phone:
            phones.add(phone)
    return users, phones


def _recipients(event: CaseEvent, case: Case, groups) -> tuple[set[int], set[str]]:
    users, phones = set(), set()
    for group in groups:
        if group == REPORTERS:
            # Nothing can have been merged yet into a case that is just being reported.
            found_users, found_phones = reporters_of(case, with_merged=event.action != "report")
            users |= found_users
            phones |= found_phones
        elif group == DEPARTMENT:
            # No department yet: the operations centre answers for the case.
            users |= (handlers_of([case.department_id]) if case.department_id
                      else supervisors_of(case))
        elif group == PARTICIPANTS:
            users |= handlers_of(case.participants.values_list("department_id", flat=True))
        elif group == CALLED_IN:
            users |= handlers_of(event.data.get("departments", []))
        elif group == SUPERVISORS:
            users |= supervisors_of(case)
        elif group == GRID_STAFF:
            users |= grid_staff_of(case)
    users.discard(event.actor_id)
    return users, phones


def _format_time(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def write_for(event: CaseEvent, case: Case | None = None) -> list[Notice]:
    """Write the notices an event calls for, in the caller's transaction; `case` is its case as
    just saved, when the caller holds it."""
    rule = RULES.get(event.action)
    if rule is None:
        return []
    if event.action == "evaluate" and event.data.get("satisfaction") != Satisfaction.UNSATISFIED:
        return []
    groups, template = rule
    if case is None:
        case = Case.objects.select_related("category").get(pk=event.case_id)
    if case.is_sample:
        return []  # demo data has no one to tell
    users, phones = _recipients(event, case, groups)
    if not (users or phones):
        return []  # e.g. an anonymous report: its reporter follows it by the tracking code
    reply = public.public_reply(event)
    text = template.format(
        number=case.number, code=case.tracking_code, note=event.note,
        reply=f"：{reply}" if reply else "。",
        category=case.category.name, address=case.address or "—", due=_format_time(case.due_at),
        into=event.data.get("into_number", ""),
    )
    return notify.notify(kind=f"cases.{event.action}", subject=f"网格事件{case.number}",
                         body=text, user_ids=sorted(users), addresses=sorted(phones), about=case)


def on_event_recorded(sender, *, obj, event, **kwargs) -> None:
    """Receiver of gridgov.core.workflow.event_recorded from the case workflow (connected with
    sender=CASE_WORKFLOW in CasesConfig.ready), inside the move's transaction: reports, moves
    and the deadline sweep alike."""
    write_for(event, obj)
