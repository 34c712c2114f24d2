"""The deadline clock any workflow object can carry: the one definition of "overdue".

A model mixes in Deadline and names the states its clock runs in (CLOCK_STATES). The clock
runs while the object is in one of them and not paused; it is overdue when its deadline has
passed while the clock runs — strictly: due at 18:00 is not overdue at 18:00. Every list, queue,
map, indicator, sweep and page asks overdue_condition() (a query expression) or is_overdue() (a
predicate on one row), never writes its own. A state outside CLOCK_STATES (closed, merged into
another case) has stopped the clock: nothing in it is overdue.

The deadlines themselves are computed in working time by gridgov.core.workdays and stored on the
row when they change (due_at, warn_at), never recomputed in a list.
"""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Deadline(models.Model):
    due_at = models.DateTimeField(_("处置时限"), null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    clock_paused_at = models.DateTimeField(_("计时暂停于"), null=True, blank=True)
    # Marks of the periodic sweep: the warning (the deadline) was announced; claimed by
    # compare-and-set, so that two runs at once announce once.
    warned_at = models.DateTimeField(_("已预警"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("已超期督办"), null=True, blank=True)
    # Office hours the clock stood still (paused, or stopped before a reopening).
    paused_hours = models.FloatField(_("暂停计时（工作小时）"), default=0)

    # The states in which the clock runs; the model says which.
    CLOCK_STATES: tuple[str, ...] = ()
    STATE_FIELD = "state"

    class Meta:
        abstract = True

    @classmethod
    def running_condition(cls) -> Q:
        return Q(**{f"{cls.STATE_FIELD}__in": cls.CLOCK_STATES}, clock_paused_at__isnull=True,
                 due_at__isnull=False)

    @classmethod
    def overdue_condition(cls, now: dt.datetime) -> Q:
        """Overdue, as a condition on rows: the deadline passed while the clock runs."""
        return cls.running_condition() & Q(due_at__lt=now)

    @classmethod
    def warning_condition(cls, now: dt.datetime) -> Q:
        """Past the warning time while the clock runs (overdue ones included)."""
        return cls.running_condition() & Q(warn_at__lte=now)

    @classmethod
    def nearing_condition(cls, now: dt.datetime) -> Q:
        """Past the warning time, not yet overdue: yellow."""
        return cls.warning_condition(now) & Q(due_at__gte=now)

    def clock_runs(self) -> bool:
        return (getattr(self, self.STATE_FIELD) in self.CLOCK_STATES
                and self.clock_paused_at is None and self.due_at is not None)

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.clock_runs() and self.due_at < now

    def deadline_light(self, now: dt.datetime) -> str:
        """"red" overdue, "yellow" past the warning, "green" running, "paused" while the clock
        stands still, "" when no clock runs (not started, stopped)."""
        if self.due_at is None:
            return ""
        if self.clock_paused_at is not None:
            return "paused"
        if not self.clock_runs():
            return ""
        if self.due_at < now:
            return "red"
        if self.warn_at is not None and self.warn_at <= now:
            return "yellow"
        return "green"
