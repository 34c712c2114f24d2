"""The periodic sweep of application deadlines (the tick's task `services.deadlines`).

Candidates are read cheaply by the clock's own conditions (gridgov.core.clock); each is then
moved by the workflow's system() with a compare-and-set claim on its mark, so that two ticks at
once warn and escalate each application once.
"""

from django.db.models import Q


from .models import Application
from .workflow import APPLICATION_WORKFLOW, now


def sweep_deadlines(moment=None) -> str:
    moment = moment or now()
    warned = overdue = 0
    overdue_q = Application.overdue_condition(moment) & Q(escalated_at__isnull=True)
    for pk in Application.objects.filter(overdue_q).values_list("pk", flat=True)[:5000]:
        if APPLICATION_WORKFLOW.system(pk, "overdue", claim=overdue_q,
                                       mark={"escalated_at": moment}):
            overdue += 1
    warning_q = Application.nearing_condition(moment) & Q(warned_at__isnull=True)
    for pk in Application.objects.filter(warning_q).values_list("pk", flat=True)[:5000]:
        if APPLICATION_WORKFLOW.system(pk, "warn", claim=warning_q, mark={"warned_at": moment}):
            warned += 1
    return f"{warned} warned, {overdue} overdue"
