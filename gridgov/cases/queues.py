"""The workbench queues: what each role has to do, within the scope of that role.

A queue is a condition on cases and the roles it serves; its cases are
`Case.objects.visible_to(user, roles=queue.roles)`, so a handler's queue holds the cases of its
department, a grid member's those of its grids, and an operator's those of its town or
community. Lists are read newest first by (reported_at, id) and cut into pages by keyset: the
next page starts after the last row shown, so page 1000 costs what page 1 costs.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import CASE_STAFF, CASE_SUPERVISORS, OPERATIONS_CENTRE, Role
from gridgov.cases.actions import allowed_actions
from gridgov.cases.models import OPEN_STATES, Case, ExtensionRequest, ExtensionStatus, State
from gridgov.core import params
from gridgov.core.errors import Refusal

PAGE_SIZE = 20
# Not closed is implied by the clock's running states; said again so that SQLite (which matches
# a partial index only to conditions without parameters) reads the overdue queue from
# case_unclosed_due. It adds nothing to the one definition of overdue (gridgov.core.clock).
UNCLOSED = Q(closed_at__isnull=True)


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    roles: frozenset[str]
    condition: Callable[[dt.datetime], Q]
    # The queue whose rows may be ticked and dispatched together.
    bulk_dispatch: bool = False
    # Whether its tab and the home page show how many cases wait in it: not for the catch-all
    # lists, whose count would read every case in scope and says nothing about work to do.
    counted: bool = True


def _state(*states) -> Callable[[dt.datetime], Q]:
    return lambda now: Q(state__in=states)


def _overdue(now) -> Q:
    return Case.overdue_condition(now) & UNCLOSED


def _warned_or_overdue(now) -> Q:
    return Case.warning_condition(now) & UNCLOSED


def _extension_waiting(now) -> Q:
    return Q(pk__in=ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING)
             .order_by().values("case_id"))


# Each queue is for the roles that act on what it holds (an administrator, who takes no step
# of the loop, reads the town's cases in "all").
OPERATOR, HANDLER, GRID_STAFF = OPERATIONS_CENTRE, frozenset({Role.HANDLER}), frozenset(
    {Role.GRID_STAFF})
LEADER = frozenset({Role.LEADER})

QUEUES = (
    Queue("intake", _("待受理"), OPERATOR, _state(State.REPORTED)),
    Queue("dispatch", _("待派遣"), OPERATOR, _state(State.REGISTERED), bulk_dispatch=True),
    Queue("extension", _("延期待批"), OPERATOR, _extension_waiting),
    Queue("close", _("待结案"), OPERATOR, _state(State.VERIFIED)),
    Queue("supervise", _("督办（临期/超期）"), OPERATOR, _warned_or_overdue),
    Queue("review", _("不满意待复核"), OPERATOR, lambda now: Q(needs_review=True)),
    Queue("suspended", _("挂账"), OPERATOR, _state(State.SUSPENDED)),
    Queue("incoming", _("待接单"), HANDLER, _state(State.DISPATCHED)),
    Queue("handling", _("处置中"), HANDLER, _state(State.HANDLING)),
    Queue("verify", _("待核查"), GRID_STAFF, _state(State.HANDLED)),
    Queue("grid_open", _("本网格在办"), GRID_STAFF, _state(State.REPORTED, *OPEN_STATES)),
    Queue("overdue", _("超期"), CASE_SUPERVISORS, _overdue),
    Queue("open", _("全部在办"), LEADER, _state(*OPEN_STATES)),
    Queue("all", _("全部"), CASE_STAFF, lambda now: Q(), counted=False),
)
QUEUES_BY_KEY = {queue.key: queue for queue in QUEUES}


def queues_for(user, roles: set[str]) -> list[Queue]:
    if user.is_superuser:
        return list(QUEUES)
    return [queue for queue in QUEUES if queue.roles & roles]


def counts(queues: list[Queue], user, now) -> dict[str, int]:
    """How many cases wait in each counted queue: one COUNT each, read from the queue's index."""
    return {queue.key: queue_cases(queue, user, now).count() for queue in queues if queue.counted}


# Where a case the resident reported may be waiting for their rating: closed itself, or merged
# into a case that may be closed by now.
_MAY_WAIT_FOR_RATING = (State.CLOSED, State.MERGED)


def waiting_for_rating(user) -> list:
    """The cases this user reported whose followed case they may rate now: the workflow's own
    answer (the evaluate transition's state, reporter relation and guards), not a copy of it."""
    mine = Case.objects.filter(reporter=user, state__in=_MAY_WAIT_FOR_RATING).select_related(
        "merged_into")
    return [case for case in mine
            if any(t.action == "evaluate" for t in allowed_actions(case.followed(), user))]


def todos(user, roles: set[str]):
    """The home page's to-dos: the user's counted queues (staff), or their own cases (residents)."""
    from gridgov.core.navigation import Todo

    if not getattr(user, "is_authenticated", False):
        return []
    available = queues_for(user, roles)
    if not available:
        mine = Case.objects.filter(reporter=user)
        return [Todo(str(_("我的反映 · 办理中")), mine.filter(
                    state__in=(State.REPORTED, State.SUSPENDED, *OPEN_STATES)).count(),
                     reverse("cases:my_cases")),
                Todo(str(_("我的反映 · 待评价")), len(waiting_for_rating(user)),
                     reverse("cases:my_cases"))]
    workbench = reverse("cases:workbench")
    waiting = counts(available, user, timezone.now())
    return [Todo(str(queue.label), waiting[queue.key], f"{workbench}?queue={queue.key}")
            for queue in available if queue.counted]


# What a row of the list shows beside the case.
ROW_RELATED = ("category", "grid", "department")


def queue_cases(queue: Queue, user, now):
    return Case.objects.visible_to(user, roles=queue.roles).filter(queue.condition(now))


def apply_filters(cases, filters: dict, now):
    from gridgov.cases.search import search

    if filters.get("state"):
        cases = cases.filter(state=filters["state"])
    for name in ("category", "grid", "department"):
        if filters.get(name) is not None:
            cases = cases.filter(**{name: filters[name]})
    if filters.get("overdue"):
        cases = cases.filter(_overdue(now))
    # Whole local days, as a range on the column itself so that its index serves.
    if filters.get("date_from"):
        cases = cases.filter(reported_at__gte=_start_of(filters["date_from"]))
    if filters.get("date_to"):
        cases = cases.filter(reported_at__lt=_start_of(filters["date_to"] + dt.timedelta(days=1)))
    return search(cases, filters.get("q", ""))


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def encode_cursor(reported_at: dt.datetime, pk: int) -> str:
    return f"{reported_at.isoformat()}~{pk}"


def decode_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    """The cursor's (moment, id); None, which starts from the first page, when it is stale or
    damaged (core.params.cursor bounds both parts)."""
    try:
        return params.cursor(cursor, "after")
    except Refusal:
        return None


@dataclass(frozen=True)
class Sort:
    key: str
    label: str
    descending: bool
    # The moment a row is ordered by: a column, or an expression of one (a deadline, with the
    # cases that have none after every dated one).
    moment: object


# A case without a deadline sorts after every dated one (still a moment the cursor can carry).
NO_DEADLINE = dt.datetime(2099, 12, 31, tzinfo=dt.UTC)
# The orders a list may be read in: a whitelist, each a keyset on (moment, id) so that paging
# stays as cheap as the default. An unknown sort falls back to the first.
SORTS = (
    Sort("newest", _("最新上报"), True, F("reported_at")),
    Sort("oldest", _("最早上报"), False, F("reported_at")),
    Sort("deadline", _("时限最近"), False,
         Coalesce("due_at", Value(NO_DEADLINE), output_field=DateTimeField())),
)
SORTS_BY_KEY = {sort.key: sort for sort in SORTS}


def sort_named(key: str) -> Sort:
    return SORTS_BY_KEY.get(key or "", SORTS[0])


def page(cases, cursor: str = "", size: int = PAGE_SIZE,
         related: tuple[str, ...] = (), sort: Sort | None = None) -> tuple[list[Case], str]:
    """One page of `size` rows in `sort`'s order (newest first by default), and the cursor of
    the next one ("" at the end).

    Two steps: the ids of the page are chosen on the case table alone (whatever has to be
    sorted is two columns wide), then those rows are read with the `related` rows they show
    (select_related paths; the first step ignores any select_related of `cases`)."""
    sort = sort or SORTS[0]
    if sort.key != "newest":
        cases = cases.annotate(sort_moment=sort.moment)
        column = "sort_moment"
    else:  # the column itself, so that the (reported_at, id) indexes serve
        column = "reported_at"
    after = decode_cursor(cursor)
    if after is not None:
        moment, pk = after
        beyond = "lt" if sort.descending else "gt"
        cases = cases.filter(Q(**{f"{column}__{beyond}": moment})
                             | Q(**{column: moment, f"pk__{beyond}": pk}))
    order = (f"-{column}", "-pk") if sort.descending else (column, "pk")
    keys = list(cases.order_by(*order).values_list("pk", column)[:size + 1])
    shown = keys[:size]
    position = {pk: index for index, (pk, _at) in enumerate(shown)}
    rows = Case.objects.filter(pk__in=list(position)).select_related(*related)
    rows = sorted(rows, key=lambda case: position[case.pk])
    next_cursor = encode_cursor(shown[-1][1], shown[-1][0]) if len(keys) > size else ""
    return rows, next_cursor
