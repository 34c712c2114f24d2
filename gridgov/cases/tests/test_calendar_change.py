"""When the town enters a day into its calendar, the deadlines that reach into it move."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from gridgov.cases.actions import act
from gridgov.cases.models import Case, State, Urgency
from gridgov.cases.tests.factories import CategoryFactory
from gridgov.core import calendar_days
from gridgov.core.models import AuditEntry, CalendarDay

pytestmark = pytest.mark.django_db
NEW_YEAR = dt.date(2027, 1, 1)  # a Friday; chinese-calendar does not know 2027 yet


def at(*args):
    return timezone.make_aware(dt.datetime(*args))


def registered(world, when, **fields):
    with time_machine.travel(at(*when), tick=False):
        return world.walk(world.report(**fields), State.REGISTERED)


def holiday(actor, day=NEW_YEAR):
    return calendar_days.save_day(CalendarDay(date=day, is_workday=False, note="元旦"),
                                  actor=actor)


def test_entering_a_holiday_moves_the_deadlines_that_reach_into_it_and_is_audited(world):
    # Registered Monday 28 December, 5 working days: Dec 29, 30, 31, Jan 1, Jan 4.
    reaching = registered(world, (2026, 12, 28, 10))
    assert reaching.due_at == at(2027, 1, 4, 18)
    before_warning = reaching.warn_at
    earlier = registered(world, (2026, 12, 14, 10))  # due 21 December: untouched
    later = registered(world, (2027, 1, 4, 10))  # starts after the day
    closed = world.walk(registered(world, (2026, 12, 28, 11)), State.CLOSED)
    emergency = CategoryFactory(kind="event", major_code="04", time_limit_hours=2)
    clock_hours = registered(world, (2026, 12, 31, 23), category=emergency,
                             urgency=Urgency.URGENT)
    untouched = {c.pk: (c.due_at, c.warn_at)
                 for c in Case.objects.filter(pk__in=[earlier.pk, later.pk, closed.pk,
                                                     clock_hours.pk])}

    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        assert holiday(world.operator) == 1

    reaching.refresh_from_db()
    assert reaching.due_at == at(2027, 1, 5, 18)  # one working day later
    assert reaching.warn_at > before_warning
    assert {c.pk: (c.due_at, c.warn_at) for c in Case.objects.filter(pk__in=untouched)} \
        == untouched
    entry = AuditEntry.objects.get(action="core.calendarday.created")
    assert entry.changes == {"date": "2027-01-01", "is_workday": False, "note": "元旦",
                             "deadlines_moved": 1}
    assert entry.actor == world.operator


def test_removing_the_day_and_a_make_up_working_day_move_them_back_and_forward(world):
    case = registered(world, (2026, 12, 28, 10))
    holiday(world.operator)
    [day] = CalendarDay.objects.all()
    assert calendar_days.delete_days([day], actor=world.operator) == 1
    case.refresh_from_db()
    assert case.due_at == at(2027, 1, 4, 18)
    # Saturday 2 January made a working day (调休): the fifth working day comes a day sooner.
    saturday = CalendarDay(date=dt.date(2027, 1, 2), is_workday=True, note="调休")
    assert calendar_days.save_day(saturday, actor=world.operator) == 1
    case.refresh_from_db()
    assert case.due_at == at(2027, 1, 2, 18)
    assert AuditEntry.objects.filter(action="core.calendarday.deleted").get().changes[
        "deadlines_moved"] == 1


def test_a_suspended_and_a_reopened_case_follow_from_their_own_clock(world):
    suspended = registered(world, (2026, 12, 28, 10))
    with time_machine.travel(at(2026, 12, 29, 10), tick=False):
        act(suspended, "suspend", actor=world.operator, note="等待业主")
    # Closed, then reopened on 4 January: its new limit starts after the holiday.
    reopened = registered(world, (2026, 12, 21, 10))
    with time_machine.travel(at(2026, 12, 22, 10), tick=False):
        reopened = world.walk(reopened, State.CLOSED)
    with time_machine.travel(at(2027, 1, 4, 10), tick=False):
        reopened, _ = act(reopened, "reopen", actor=world.operator, note="又来了")
    due_after_reopening = reopened.due_at

    assert holiday(world.operator) == 1
    suspended.refresh_from_db()
    reopened.refresh_from_db()
    assert suspended.due_at == at(2027, 1, 5, 18)
    assert reopened.due_at == due_after_reopening


def test_a_deadline_already_marked_overdue_that_moves_ahead_is_watched_again(world):
    case = registered(world, (2026, 12, 28, 10))
    Case.objects.filter(pk=case.pk).update(escalated_at=at(2027, 1, 4, 18, 5))
    with time_machine.travel(at(2027, 1, 5, 9), tick=False):
        holiday(world.operator)
    case.refresh_from_db()
    assert case.due_at == at(2027, 1, 5, 18) and case.escalated_at is None


def test_the_admin_changes_the_calendar_through_the_action(world, root, client):
    case = registered(world, (2026, 12, 28, 10))
    response = client.post(reverse("admin:core_calendarday_add"),
                           {"date": "2027-01-01", "is_workday": "", "note": "元旦"}, follow=True)
    assert response.status_code == 200
    assert "1 个未办结事项的时限已按新的工作日历调整" in response.content.decode()
    case.refresh_from_db()
    assert case.due_at == at(2027, 1, 5, 18)
    assert AuditEntry.objects.filter(action__startswith="core.calendarday.").count() == 1

    day = CalendarDay.objects.get()
    client.post(reverse("admin:core_calendarday_delete", args=[day.pk]), {"post": "yes"})
    case.refresh_from_db()
    assert case.due_at == at(2027, 1, 4, 18)


def test_a_failing_keeper_leaves_the_calendar_unchanged(world, monkeypatch):
    registered(world, (2026, 12, 28, 10))

    def broken(days):
        def move():
            raise RuntimeError("disk full")
        return move

    monkeypatch.setattr(calendar_days, "_keepers", [*calendar_days._keepers, broken])
    with pytest.raises(RuntimeError):
        holiday(world.operator)
    assert not CalendarDay.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="core.calendarday.").exists()
