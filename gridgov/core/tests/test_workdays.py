import datetime as dt

import pytest
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
