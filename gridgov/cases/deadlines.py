"""Case deadlines: computed when they change, stored on the row, never recomputed in a list.

The rules, decided here once:
- The time limit runs from registration (立案), the moment the town takes the case on; a return
  (退单), a new dispatch or a rework (返工) gives no new time. Only an approved extension, a
  suspension or waiting for an extension decision moves the deadline; a reopening starts a new
  time limit (and the time the case lay closed does not count as handling time).
- Ordinary limits count working days on the official calendar (gridgov.core.workdays): N working
  days end at 18:00 on the Nth working day after the day of registration, as 12345 counts.
- Urgent cases count hours, the category's time_limit_hours (the category's urgency is the
  default; the operations centre may change it at registration): office hours in general (a
  department cannot be asked to repair a street lamp at 3 a.m.), but clock hours for the 大类
  突发事件 (emergencies do not wait for Monday).
- The yellow warning comes when three quarters of the limit's office time have passed (for a
  5-day limit, about a working day and a quarter before the end).
- Red is simply `due_at` passed while the clock runs: the one definition of overdue is the
  clock's (gridgov.core.clock.Deadline: overdue_condition, is_overdue, deadline_light), which
  every page, queue, map, indicator and the sweep asks. Merging a case stops its clock.
- While the clock stands still (suspended, awaiting an extension decision), nothing is due; on
  resuming, due_at and warn_at move later by the time that passed — office time, or clock time
  for a clock-hours case. A refused extension still credits the waiting time: the department
  could not know the answer.
- A case closes on time when it is closed (结案) no later than its deadline: the whole loop must
  be finished in time, which is what 按期结案率 measures.
"""

import contextvars
import datetime as dt
from contextlib import contextmanager

from django.db.models import Max
from django.utils import timezone

from gridgov.core import workdays

from .models import OPEN_STATES, Case, CaseEvent, Category, State, Urgency

# An urgent case whose category names no hours gets this many.
DEFAULT_URGENT_HOURS = 4
# The 大类 of events whose urgent cases count clock hours.
EMERGENCY_MAJOR_CODE = "04"
WARN_FRACTION = 0.75
# Cases whose stored deadline follows a change of the town's calendar: the clock runs, or stands
# still (suspended, awaiting an extension decision) and will run again.
CLOCKED_STATES = (*OPEN_STATES, State.SUSPENDED)
CALENDAR_CHUNK = 1000

_moment = contextvars.ContextVar("gridgov_cases_now", default=None)


def now() -> dt.datetime:
    """The time the case workflow reads: the clock, or the moment a demo or benchmark loader is
    replaying (cases_at). The audit log always keeps the real time of writing."""
    return _moment.get() or timezone.now()


@contextmanager
def cases_at(moment: dt.datetime):
    """Run case actions as if it were `moment` (demo data and benchmarks build a past year)."""
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)


def counts_clock_hours(category: Category, urgency: str) -> bool:
    return (
        urgency == Urgency.URGENT
        and category.kind == "event"
        and category.major_code == EMERGENCY_MAJOR_CODE
    )


def limit_for(category: Category, urgency: str) -> tuple[str, float]:
    """("days", n) or ("office_hours", h) or ("clock_hours", h) for a case of this category."""
    if urgency == Urgency.URGENT:
        hours = category.time_limit_hours or DEFAULT_URGENT_HOURS
        unit = "clock_hours" if counts_clock_hours(category, Urgency.URGENT) else "office_hours"
        return unit, hours
    return "days", category.time_limit_days


def compute(category: Category, urgency: str, start: dt.datetime):
    """(due_at, warn_at) for a case of this category and urgency whose clock starts at `start`."""
    unit, amount = limit_for(category, urgency)
    if unit == "clock_hours":
        due = start + dt.timedelta(hours=amount)
        return due, start + (due - start) * WARN_FRACTION
    due = (
        workdays.add_working_days(start, int(amount))
        if unit == "days"
        else workdays.add_working_hours(start, amount)
    )
    total = workdays.working_hours_between(start, due)
    return due, workdays.add_working_hours(start, total * WARN_FRACTION)


def uses_clock_hours(case: Case) -> bool:
    return limit_for(case.category, case.urgency)[0] == "clock_hours"


def set_deadline(case: Case, due: dt.datetime, warn: dt.datetime, at: dt.datetime) -> None:
    """Store a new deadline; a warning or escalation already given for an earlier deadline is
    forgotten when the new moment lies ahead, so the new one is watched again."""
    case.due_at, case.warn_at = due, warn
    if warn > at:
        case.warned_at = None
    if due > at:
        case.escalated_at = None


def start_clock(case: Case, at: dt.datetime) -> None:
    """Set the deadline of a case whose time limit starts now (registration, reopening)."""
    due, warn = compute(case.category, case.urgency, at)
    set_deadline(case, due, warn, at)
    case.clock_paused_at = None


def pause(case: Case, at: dt.datetime) -> None:
    case.clock_paused_at = at


def _shift(case: Case, moment: dt.datetime, paused_from: dt.datetime, at: dt.datetime):
    if uses_clock_hours(case):
        return moment + (at - paused_from)
    return workdays.shift_by_working_time(moment, paused_from, at)


def resume(case: Case, at: dt.datetime, extra_working_days: int = 0) -> float:
    """Start the clock again: the deadline moves later by any approved extension and by the
    time the clock stood still. Returns the office hours it stood still."""
    paused_from = case.clock_paused_at
    if paused_from is None:
        return 0.0
    stood_still = workdays.working_hours_between(paused_from, at)
    case.paused_hours += stood_still
    case.clock_paused_at = None
    if case.due_at is not None:
        due, warn = case.due_at, case.warn_at or case.due_at
        if extra_working_days:
            # 延期3个工作日 means three more after the deadline; the warning comes again when
            # three quarters of the extension have passed.
            extended = workdays.add_working_days(due, extra_working_days)
            warn = workdays.add_working_hours(
                due, workdays.working_hours_between(due, extended) * WARN_FRACTION
            )
            due = extended
        set_deadline(case, _shift(case, due, paused_from, at), _shift(case, warn, paused_from, at),
                     at)
    return stood_still


def finish(case: Case, at: dt.datetime) -> None:
    """Closing: whether it was on time and how many office hours handling took (registration to
    处置完毕, without the hours the clock stood still)."""
    case.closed_at = at
    case.closed_on_time = case.due_at is None or at <= case.due_at
    start = case.registered_at or case.reported_at
    end = case.handled_at or at
    case.handling_hours = round(
        max(workdays.working_hours_between(start, end) - case.paused_hours, 0.0), 2
    )


def _clock_anchors(cases: list[Case], first: dt.datetime) -> dict[int, dt.datetime]:
    """For each case, the moment from which the changed days count for its deadline: the first
    changed day, or the clock's start when later (registration, or the last reopening), or for a
    limit in working days the day after the clock's start (that day itself is not counted)."""
    reopened = dict(
        CaseEvent.objects.filter(case__in=cases, action="reopen").order_by()
        .values("case_id").annotate(last=Max("at")).values_list("case_id", "last")
    )
    anchors = {}
    for case in cases:
        started = max(moment for moment in (case.registered_at, reopened.get(case.pk)) if moment)
        if limit_for(case.category, case.urgency)[0] == "days":
            day = timezone.localtime(started).date() + dt.timedelta(days=1)
            started = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        anchors[case.pk] = max(first, started)
    return anchors


def follow_calendar(days: set[dt.date]):
    """Keeper of case deadlines for gridgov.core.calendar_days (registered in CasesConfig).

    Called before the town's calendar changes on `days`: locks the unfinished cases whose clock
    interval reaches into the changed days and measures, in office hours under the calendar still
    in force, how far their warning and deadline lie from the moment the change starts to count
    (_clock_anchors). The returned function, called after the change, puts each as many office
    hours from that moment under the new calendar (add_working_hours, as the deadline was
    computed), saves those that moved, and counts them. Clock-hour cases do not depend on the
    calendar. Work is in chunks of primary keys; only the measurements are kept in memory."""
    first = timezone.make_aware(dt.datetime.combine(min(days), dt.time()))
    after_last = timezone.make_aware(dt.datetime.combine(max(days) + dt.timedelta(days=1),
                                                         dt.time()))
    rows = (Case.objects.filter(state__in=CLOCKED_STATES, due_at__gte=first,
                                registered_at__lt=after_last)
            .select_related("category").select_for_update(of=("self",)).order_by("pk"))
    measured = []  # (case id, anchor, office hours to the warning or None, to the deadline)
    last_pk = 0
    while chunk := list(rows.filter(pk__gt=last_pk)[:CALENDAR_CHUNK]):
        last_pk = chunk[-1].pk
        chunk = [case for case in chunk if not uses_clock_hours(case)]
        anchors = _clock_anchors(chunk, first)
        for case in chunk:
            anchor = anchors[case.pk]
            if case.due_at <= anchor:
                continue
            to_warn = (workdays.working_hours_between(anchor, case.warn_at)
                       if case.warn_at and case.warn_at > anchor else None)
            measured.append((case.pk, anchor, to_warn,
                             workdays.working_hours_between(anchor, case.due_at)))

    def move() -> int:
        at, moved = now(), 0
        for start in range(0, len(measured), CALENDAR_CHUNK):
            part = measured[start:start + CALENDAR_CHUNK]
            cases = Case.objects.in_bulk([pk for pk, *_ in part])
            changed = []
            for pk, anchor, to_warn, to_due in part:
                case = cases[pk]
                due = workdays.add_working_hours(anchor, to_due)
                warn = case.warn_at if to_warn is None else workdays.add_working_hours(anchor,
                                                                                     to_warn)
                if (due, warn) != (case.due_at, case.warn_at):
                    set_deadline(case, due, warn, at)
                    case.updated_at = timezone.now()  # the indicators' rollup recounts it
                    changed.append(case)
            Case.objects.bulk_update(changed, ["due_at", "warn_at", "warned_at", "escalated_at",
                                               "updated_at"])
            moved += len(changed)
        return moved

    return move
