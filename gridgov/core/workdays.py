"""Working days and hours on China's official calendar.

The State Council moves weekends to make up for holidays (调休), so a plain Monday-to-Friday count
is wrong. A day's status comes from, in order: the town's own CalendarDay rows (for a year the
bundled calendar does not know yet, or a local decision), the chinese-calendar package, and,
beyond the years it covers, Monday to Friday.

Office hours are 09:00-12:00 and 13:00-18:00, eight hours a day: a deadline of N working days ends
at 18:00 on the Nth working day after the day of registration, as the 12345 hotline counts.
"""

import datetime as dt
import time
from functools import lru_cache

import chinese_calendar
from django.utils import timezone

OFFICE_PERIODS = ((dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 0), dt.time(18, 0)))
HOURS_PER_DAY = 8


# The town's own days are read again every few minutes, so that every worker process sees an edit.
_OVERRIDE_TTL_SECONDS = 300


@lru_cache(maxsize=64)
def _overrides(year: int, _epoch: int) -> dict[dt.date, bool]:
    from gridgov.core.models import CalendarDay

    return dict(
        CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday")
    )


def forget_overrides() -> None:
    _overrides.cache_clear()


def is_workday(day: dt.date) -> bool:
    override = _overrides(day.year, int(time.monotonic() // _OVERRIDE_TTL_SECONDS)).get(day)
    if override is not None:
        return override
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def year_is_known(year: int) -> bool:
    """Whether a year's holidays and make-up working days are on record: in the bundled calendar
    or as the town's own CalendarDay rows."""
    if _overrides(year, int(time.monotonic() // _OVERRIDE_TTL_SECONDS)):
        return True
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def unknown_year_ahead(today: dt.date | None = None, within_days: int = 60) -> int | None:
    """The first year within the coming days whose holidays are not on record: deadlines that
    reach into it would count every Monday to Friday as a working day."""
    today = today or timezone.localdate()
    last = today + dt.timedelta(days=within_days)
    return next((year for year in range(today.year, last.year + 1) if not year_is_known(year)),
                None)


def next_workday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end of office hours on the `days`th working day after start's day."""
    day = timezone.localtime(start).date()
    for _ in range(days):
        day = next_workday(day)
    return _at(day, OFFICE_PERIODS[-1][1])


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _periods_from(moment: dt.datetime):
    """Office periods (start, end) as aware datetimes, from the one containing `moment` on."""
    local = timezone.localtime(moment)
    day = local.date()
    while True:
        if is_workday(day):
            for begin, end in OFFICE_PERIODS:
                period_start, period_end = _at(day, begin), _at(day, end)
                if period_end > local:
                    yield max(period_start, local), period_end
        day += dt.timedelta(days=1)


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` office hours after start (start itself may be outside office hours)."""
    if hours <= 0:
        return start
    remaining = dt.timedelta(hours=hours)
    for begin, end in _periods_from(start):
        if end - begin >= remaining:
            return begin + remaining
        remaining -= end - begin
    raise AssertionError("unreachable")


def working_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Office hours elapsed from start to end (0 when end is not after start)."""
    if end <= start:
        return 0.0
    total = dt.timedelta()
    for begin, period_end in _periods_from(start):
        if begin >= end:
            break
        total += min(period_end, end) - begin
    return total.total_seconds() / 3600


def shift_by_working_time(deadline: dt.datetime, paused_from: dt.datetime, resumed_at: dt.datetime):
    """A deadline moved later by the office time that passed while the clock was stopped."""
    return add_working_hours(deadline, working_hours_between(paused_from, resumed_at))
