"""What the alliance puts on the home page: counted to-dos for organisers and the alliance's
office (applications to decide, consents to record, activities to roll-call today)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.navigation import Todo
from gridgov.volunteers.models import (
    Activity,
    ActivityState,
    Organiser,
    Signup,
    SignupState,
    Volunteer,
    VolunteerState,
    alliance_towns,
    managed_condition,
)


def managed_volunteers(user):
    """The volunteers whose applications `user` decides."""
    if user.is_superuser:
        return Volunteer.objects.all()
    return Volunteer.objects.filter(managed_condition(user) | managed_condition(
        user, organisation="project__lead_id"))


def is_manager(user) -> bool:
    return getattr(user, "is_authenticated", False) and (
        user.is_superuser or bool(alliance_towns(user))
        or Organiser.objects.filter(user=user).exists())


def todos(user, roles):
    if not is_manager(user):
        mine = Signup.objects.of(user).filter(
            state__in=[SignupState.CONFIRMED, SignupState.CHECKED_IN],
            activity__ends_at__gte=timezone.now()).count()
        return [Todo(_("我报名的志愿活动"), mine, reverse("volunteers:me"))] if mine else []
    volunteers = managed_volunteers(user)
    now = timezone.now()
    today = Activity.objects.managed_by(user).filter(
        state=ActivityState.OPEN, starts_at__lt=now + dt.timedelta(hours=24),
        ends_at__gte=now - dt.timedelta(hours=2))
    url = reverse("volunteers:manage")
    found = [
        Todo(_("待审核的志愿者申请"), volunteers.filter(state=VolunteerState.APPLIED).count(), url),
        Todo(_("待登记监护人同意"), volunteers.filter(state=VolunteerState.AWAITING_CONSENT).count(),
             url),
        Todo(_("今明两天需点名的志愿活动"), today.count(), url),
    ]
    return [todo for todo in found if todo.count]
