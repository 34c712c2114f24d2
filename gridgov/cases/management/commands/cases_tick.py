"""Deadline sweep, meant for cron or a timer every few minutes (`gridgov cases_tick`).

Cases whose warning time or deadline has passed are found by index (only their ids are read),
then handled one by one: a compare-and-set UPDATE claims the row (warned_at / escalated_at still
empty, the case still open with its clock running, the moment still passed), and only the run
whose UPDATE changed the row writes the CaseEvent ("warned" / "overdue") and the audit entry and
notifies: two runs at once, or a run beside a user's action, never notify twice. A row that
fails is logged and the batch goes on.
"""

import logging

from django.core.management.base import BaseCommand
from django.db import transaction

from gridgov.cases import deadlines, notifications
from gridgov.cases.models import OPEN_STATES, Case, CaseEvent
from gridgov.cases.signals import swept
from gridgov.cases.workflow import actor_label
from gridgov.core import audit

logger = logging.getLogger(__name__)

# (event action, the moment that must have passed, the mark that it was handled)
WARNED = ("warned", "warn_at", "warned_at")
OVERDUE = ("overdue", "due_at", "escalated_at")


def candidates(kind, now, limit: int) -> list[int]:
    action, moment, mark = kind
    rows = Case.objects.filter(state__in=OPEN_STATES, clock_paused_at=None,
                               **{f"{moment}__lte": now, mark: None})
    if kind is WARNED:
        rows = rows.filter(due_at__gt=now)  # already overdue: the red mark says more
    return list(rows.order_by(moment).values_list("pk", flat=True)[:limit])


def claim(pk: int, kind, now) -> bool:
    """Mark one case; False when another run (or a change of the case) got there first."""
    action, moment, mark = kind
    with transaction.atomic():
        claimed = Case.objects.filter(
            pk=pk, state__in=OPEN_STATES, clock_paused_at=None,
            **{f"{moment}__lte": now, mark: None},
        ).update(**{mark: now})
        if claimed != 1:
            return False
        case = Case.objects.get(pk=pk)
        event = CaseEvent.objects.create(
            case=case, action=action, from_state=case.state, to_state=case.state,
            actor_label=actor_label(None), department_id=case.department_id,
            data={"due_at": case.due_at.isoformat()}, at=now,
        )
        audit.record(f"cases.case.{action}", actor=None, target=case,
                     changes={mark: now.isoformat(), "due_at": case.due_at.isoformat()})
        notifications.send_on_commit(event)
    return True


def sweep(now=None, limit: int = 5000) -> dict[str, int]:
    now = now or deadlines.now()
    counts = {"overdue": 0, "warned": 0, "failed": 0}
    for kind in (OVERDUE, WARNED):
        for pk in candidates(kind, now, limit):
            try:
                counts[kind[0]] += claim(pk, kind, now)
            except Exception:
                counts["failed"] += 1
                logger.exception("cases_tick: case %s (%s) failed", pk, kind[0])
    return counts


class Command(BaseCommand):
    help = ("Warn about cases near their deadline and escalate overdue ones "
            "(safe to run twice at once).")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=5000,
                            help="at most this many cases of each kind per run")

    def handle(self, *args, limit=5000, **options):
        counts = sweep(limit=limit)
        self.stdout.write(
            f"overdue {counts['overdue']}, warned {counts['warned']}, failed {counts['failed']}"
        )
        # What apps derive from cases (the indicators of today, of the cases changed) follows.
        for _receiver, summary in swept.send(sender=self.__class__):
            if summary:
                self.stdout.write(summary)
