"""Office time as arrays, for inventing a million case deadlines in seconds.

gridgov.core.workdays walks the official calendar day by day for one case at a time (about a
millisecond per deadline, most of it in chinese_calendar): right for the product, which computes
one deadline per registration, too slow to invent a million. OfficeClock asks workdays, once per
day of the period, whether the day is a working day, marks its office minutes, and answers with
cumulative sums. bench/casedata.py checks it against gridgov.cases.deadlines.compute and
workdays.working_hours_between on a sample before it writes anything, so the two cannot drift.

Positions are minutes (floats) since local midnight of the first day.
"""

import datetime as dt

import numpy as np
from django.utils import timezone

from gridgov.core import workdays

DAY = 1440


class OfficeClock:
    def __init__(self, first_day: dt.date, last_day: dt.date):
        self.first_day = first_day
        self.origin = timezone.make_aware(dt.datetime.combine(first_day, dt.time.min))
        days = (last_day - first_day).days + 1
        self.workday = np.array([workdays.is_workday(first_day + dt.timedelta(days=d))
                                 for d in range(days)])
        office = np.zeros(days * DAY, dtype=bool)
        for day in np.flatnonzero(self.workday):
            for begin, end in workdays.OFFICE_PERIODS:
                office[day * DAY + begin.hour * 60 + begin.minute:
                       day * DAY + end.hour * 60 + end.minute] = True
        self.office = office
        # cum[i]: office minutes before minute i starts.
        self.cum = np.concatenate([[0], np.cumsum(office)]).astype(np.float64)
        self.office_minutes = np.flatnonzero(office)
        self.workdays = np.flatnonzero(self.workday)
        self.end_of_day = (workdays.OFFICE_PERIODS[-1][1].hour * 60
                           + workdays.OFFICE_PERIODS[-1][1].minute)

    @property
    def span(self) -> int:
        return len(self.office)

    def position(self, moment: dt.datetime) -> float:
        return (moment - self.origin).total_seconds() / 60

    def moment(self, position: float) -> dt.datetime:
        return self.origin + dt.timedelta(minutes=float(position))

    def elapsed(self, position) -> np.ndarray:
        """Office minutes from the origin to each (fractional) position."""
        position = np.asarray(position, dtype=np.float64)
        whole = np.floor(position).astype(np.int64)
        return self.cum[whole] + self.office[whole] * (position - whole)

    def office_minutes_between(self, start, end) -> np.ndarray:
        return np.maximum(self.elapsed(end) - self.elapsed(start), 0.0)

    def add_office_minutes(self, start, minutes) -> np.ndarray:
        """The position `minutes` office minutes after each start (minutes > 0)."""
        target = self.elapsed(start) + np.asarray(minutes, dtype=np.float64)
        k = np.ceil(target).astype(np.int64) - 1
        return self.office_minutes[k] + (target - k)

    def after_working_days(self, start, days) -> np.ndarray:
        """End of office hours on the `days`th working day after each start's day (as
        workdays.add_working_days)."""
        start_day = np.floor(np.asarray(start) / DAY).astype(np.int64)
        days = np.asarray(days)
        index = np.searchsorted(self.workdays, start_day, side="right") + days - 1
        day = np.where(days > 0, self.workdays[np.maximum(index, 0)], start_day)
        return day * DAY + self.end_of_day
