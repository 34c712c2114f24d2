"""What a reporter (and the public) sees of a case, decided here once (issue 9, finding 10).

A reporter follows what happened and when, which unit acted, and what that unit told them: the
public reply (答复) typed in the reply input of a move, and the reason for not registering a
report (the reject note is written to the reporter; notifications send it to them as well).
Internal notes (说明: an urging note, a reason for returning a case, a verifier's remark), the
names of the staff who acted, and the moves only staff care about (督办, 预警, 吹哨, 延期申请...)
never reach them. The tracking page, the signed-in reporter's case page, /api/cases/{id} and
Open311 all ask this module.
"""

import datetime as dt

from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gridgov.core import pii
from gridgov.core.scope import roles_of

from . import deadlines
from .models import OPEN_STATES, Case, CaseEvent, State

# The moves staff keep among themselves: the reporter's timeline leaves them out.
HIDDEN_FROM_REPORTER = frozenset({
    "urge", "warned", "overdue", "escalate", "report_in", "request_extension",
    "refuse_extension", "sample_verify", "merge_in",
})
# Moves whose note is addressed to the reporter: the reason a report is not taken on.
NOTE_TOLD_TO_REPORTER = frozenset({"reject"})

# Each move in the reporter's words, one line ("{unit}": the department or unit that acted), so
# that the timeline never reads "处置完毕 · 处置完毕".
STEP_LINES = {
    "report": _("问题已提交"),
    "register": _("已受理立案"),
    "reject": _("不予立案"),
    "self_handle": _("网格员已现场处置"),
    "merge": _("与相同问题合并办理"),
    "dispatch": _("已派往{unit}办理"),
    "accept": _("{unit}已接单，正在处置"),
    "return": _("处置部门退回，重新派遣中"),
    "approve_extension": _("办理时限已延长"),
    "suspend": _("暂缓办理"),
    "resume": _("恢复办理"),
    "handle": _("{unit}处置完毕"),
    "verify": _("现场核查通过"),
    "fail_verification": _("核查未通过，部门重新处置"),
    "close": _("已办结"),
    "evaluate": _("您已评价"),
    "confirm_review": _("经复核，维持办结"),
    "reopen": _("重新办理"),
}


def public_reply(event: CaseEvent) -> str:
    """The text of a move the reporter may read, with phone and ID numbers masked ("" if none)."""
    text = event.reply or (event.note if event.action in NOTE_TOLD_TO_REPORTER else "")
    return pii.mask_free_text(text.strip())


def has_public_reply() -> Q:
    """The same rule as public_reply(), as a condition on the event rows (Open311's lists)."""
    return ~Q(reply="") | (Q(action__in=NOTE_TOLD_TO_REPORTER) & ~Q(note=""))


def reporter_events(case: Case) -> list[CaseEvent]:
    """The case's timeline as its reporter sees it: the moves they follow, each with its public
    reply in `reply`, the internal note emptied and the acting person named only by unit. The
    rows are read for display; they are never saved."""
    events = list(case.events.exclude(action__in=HIDDEN_FROM_REPORTER)
                  .select_related("department"))
    for event in events:
        event.reply = public_reply(event)
        event.note = ""
        event.actor_label = event.actor_unit
        unit = (event.data or {}).get("department_name") or (
            event.department.name if event.department_id else "") or _("处置部门")
        event.line = format_lazy(STEP_LINES.get(event.action, _("办理记录")), unit=unit)
    return events


def sees_as_staff(user, case: Case) -> bool:
    """Whether the user reads this case through a role over it (and so its internal notes),
    rather than only as the person who reported it."""
    if getattr(user, "is_superuser", False):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return Case.objects.visible_to(user, roles=roles_of(user)).filter(pk=case.pk).exists()


def events_seen_by(case: Case, user) -> list[CaseEvent]:
    """The timeline this user may read: the whole log for staff over the case, the reporter's
    view for anyone else who reaches it (the signed-in reporter)."""
    if sees_as_staff(user, case):
        return list(case.events.all())
    return reporter_events(case)


def latest_replies(case_ids) -> dict[int, str]:
    """{case id: its latest public reply, masked} for the cases that have one (one query)."""
    found = {}
    rows = (CaseEvent.objects.filter(has_public_reply(), case_id__in=list(case_ids))
            .exclude(action__in=HIDDEN_FROM_REPORTER)
            .order_by("case_id", "at", "id").only("case_id", "action", "note", "reply"))
    for event in rows:
        found[event.case_id] = public_reply(event)  # the last one wins
    return found


def expected_completion(case: Case) -> dt.datetime | None:
    """When the case should be finished: its deadline once the clock runs; before registration,
    the category's limit counted on the working-day calendar from the report (the clock starts
    at registration, usually the same working day). None once finished or suspended."""
    if case.state not in (State.REPORTED, *OPEN_STATES):
        return None  # finished, or suspended (挂账: no date can be promised)
    if case.due_at is not None:
        return case.due_at
    if case.state == State.REPORTED and case.category_id and case.reported_at:
        return deadlines.compute(case.category, case.urgency, case.reported_at)[0]
    return None
