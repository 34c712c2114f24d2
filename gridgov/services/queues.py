"""The provider's queue and the home page's to-dos of the service package and the visiting
team: counts read from the same scoped querysets the pages list."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.navigation import Todo
from gridgov.core.scope import roles_of

from .models import Application, State, VisitNeed, VisitPlan
from .rules import APPLICATION_WORKERS, PROVIDERS, VISIT_TEAM

QUEUE_STATES = {
    "received": (State.RECEIVED,),
    "working": (State.ACCEPTED, State.IN_SERVICE),
    "done": (State.DONE, State.DECLINED),
}


def provider_queue(user, *, tab: str = "received", overdue: bool = False, now=None):
    """The applications this user's unit works (a department's own; the town's partner items
    for the operations centre), by tab."""
    rows = Application.objects.visible_to(user, roles=PROVIDERS)
    rows = rows.filter(state__in=QUEUE_STATES.get(tab, QUEUE_STATES["received"]))
    if overdue:
        rows = rows.filter(Application.overdue_condition(now or timezone.now()))
    return rows.select_related("item", "department").order_by("due_at", "id")


def todos(user, roles: set[str]):
    if not getattr(user, "is_authenticated", False):
        return []
    found = []
    now = timezone.now()
    waiting = Application.objects.visible_to(user, roles=APPLICATION_WORKERS)
    # A department that provides no service (most handlers of cases) is shown no empty counts.
    if (roles & APPLICATION_WORKERS or user.is_superuser) and waiting.exists():
        url = reverse("services:queue")
        found.append(Todo(_("待接单的服务申请"), waiting.filter(state=State.RECEIVED).count(), url))
        found.append(Todo(_("服务中的申请"), waiting.filter(
            state__in=(State.ACCEPTED, State.IN_SERVICE)).count(), url + "?tab=working"))
        found.append(Todo(_("超期的服务申请"), waiting.filter(
            Application.overdue_condition(now)).count(), url + "?overdue=1"))
    if roles & VISIT_TEAM or user.is_superuser:
        today = timezone.localdate()
        plans = VisitPlan.objects.visible_to(user, roles=VISIT_TEAM).filter(
            due_on__gte=today - dt.timedelta(days=30))
        mine = plans.filter(visitors=user) if not user.is_superuser else plans
        url = reverse("services:visits")
        found.append(Todo(_("我的走访计划"), mine.count(), url))
        found.append(Todo(_("待跟进的走访诉求"), VisitNeed.objects.visible_to(
            user, roles=VISIT_TEAM).open().count(), url + "#needs"))
    if not roles_of(user):
        mine = Application.objects.filter(applicant=user)
        open_ones = mine.filter(state__in=(State.RECEIVED, State.ACCEPTED, State.IN_SERVICE)).count()
        if open_ones:
            found.append(Todo(_("我的服务申请"), open_ones, reverse("services:mine")))
        to_rate = mine.filter(state=State.DONE, rating__isnull=True).count()
        if to_rate:
            found.append(Todo(_("待评价的服务"), to_rate, reverse("services:mine")))
    return found
