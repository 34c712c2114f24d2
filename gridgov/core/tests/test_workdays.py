import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gridgov.core import workdays
from gridgov.core.models import CalendarDay


def at(*args):
    return timezone.make_aware(dt.datetime(*args))


@pytest.mark.django_db
def test_spring_festival_2026_and_its_make_up_saturday():
    # 2026-02-15..23 is the Spring Festival holiday; Saturday 2026-02-14 and 2026-02-28 are
    # make-up working days.
    assert workdays.is_workday(dt.date(2026, 2, 14))
    assert not workdays.is_workday(dt.date(2026, 2, 17))
    # Registered Friday 2026-02-13: day 1 is Saturday 14th (make-up), day 2 is Tuesday 24th.
    assert workdays.add_working_days(at(2026, 2, 13, 10), 2) == at(2026, 2, 24, 18)


@pytest.mark.django_db
def test_working_hours_skip_lunch_nights_and_holidays():
    # National Day 2026: 1-7 October off, the 8th a working day.
    assert workdays.add_working_hours(at(2026, 9, 30, 16), 4) == at(2026, 10, 8, 11)
    assert workdays.working_hours_between(at(2026, 11, 23, 11), at(2026, 11, 23, 14)) == 2.0


@pytest.mark.django_db
def test_town_override_wins_beyond_the_bundled_calendar():
    monday = dt.date(2027, 1, 4)
    assert workdays.is_workday(monday)
    CalendarDay.objects.create(date=monday, is_workday=False, note="示例：假期")
    assert not workdays.is_workday(monday)


@pytest.mark.django_db
def test_adding_no_working_time_keeps_the_moment():
    # A deadline at the close of office hours, paused only overnight, stays where it was.
    assert workdays.add_working_hours(at(2026, 11, 23, 18), 0) == at(2026, 11, 23, 18)
    assert workdays.shift_by_working_time(
        at(2026, 11, 23, 18), at(2026, 11, 23, 19), at(2026, 11, 24, 8)
    ) == at(2026, 11, 23, 18)


@pytest.mark.django_db
def test_a_year_the_calendar_does_not_know_is_named_until_the_town_enters_its_days():
    # chinese-calendar knows 2026, not 2027: late in November, deadlines reach into January.
    assert workdays.unknown_year_ahead(dt.date(2026, 9, 1)) is None
    assert workdays.unknown_year_ahead(dt.date(2026, 11, 23)) == 2027
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    assert workdays.unknown_year_ahead(dt.date(2026, 11, 23)) is None


@pytest.mark.django_db
def test_operators_and_admins_are_told_when_next_years_holidays_are_missing(client):
    from gridgov.grids.tests.factories import TownFactory, UserFactory, staff

    town = TownFactory()
    notice = "2027年的法定节假日和调休安排尚未录入"
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 11, 23, 10)), tick=False):
        for user, told in ((staff("operator", town), True), (staff("admin", town), True),
                           (staff("leader", town), False), (UserFactory(), False)):
            client.force_login(user)
            assert (notice in client.get("/").content.decode()) is told, user
        CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, note="元旦")
        client.force_login(staff("operator", town))
        assert notice not in client.get("/").content.decode()
