"""The deadline sweep: cases that reached their warning time or their deadline, marked once.

sweep_deadlines(now) is the periodic task `cases.deadlines` (`gridgov tick`; by hand:
`gridgov tick --only cases.deadlines --force`). Candidates are found by index (only their ids
are read), then each goes through the case workflow as the system (gridgov.core.workflow.Workflow.system): a
compare-and-set UPDATE claims the row — its mark (warned_at / escalated_at) still empty, the
moment still passed by the clock's one definition (gridgov.core.clock) — and only the run whose
UPDATE changed the row writes the event ("warned" / "overdue") and the audit entry, and so
notifies: two runs at once, or a run beside a user's action, never announce twice. A row that
fails is logged and the batch goes on.
"""

import logging
from dataclasses import dataclass

from django.db.models import Q

from .deadlines import now as workflow_now
from .models import Case
from .workflow import CASE_WORKFLOW

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Announcement:
    action: str  # the system transition
    mark: str  # the column that says it was made

    def due(self, now) -> Q:
        if self.action == "overdue":
            return Case.overdue_condition(now) & Q(escalated_at__isnull=True)
        # Past the warning but not yet overdue: the red mark says more than the yellow one.
        return Case.nearing_condition(now) & Q(warned_at__isnull=True)


OVERDUE = Announcement("overdue", "escalated_at")
WARNED = Announcement("warned", "warned_at")


def candidates(kind: Announcement, now, limit: int) -> list[int]:
    moment = "due_at" if kind is OVERDUE else "warn_at"
    return list(Case.objects.filter(kind.due(now)).order_by(moment)
                .values_list("pk", flat=True)[:limit])


def announce(pk: int, kind: Announcement, now) -> bool:
    """Mark one case; False when another run (or a change of the case) got there first."""
    return CASE_WORKFLOW.system(pk, kind.action, claim=kind.due(now),
                                mark={kind.mark: now}) is not None


def sweep_deadlines(now=None, limit: int = 5000) -> dict[str, int]:
    """Announce every case that went overdue or reached its warning time; counts by kind."""
    now = now or workflow_now()
    counts = {"overdue": 0, "warned": 0, "failed": 0}
    for kind in (OVERDUE, WARNED):
        for pk in candidates(kind, now, limit):
            try:
                counts[kind.action] += announce(pk, kind, now)
            except Exception:
                counts["failed"] += 1
                logger.exception("deadline sweep: case %s (%s) failed", pk, kind.action)
    return counts
