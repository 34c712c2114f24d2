"""Changes to the town's own calendar (CalendarDay): deadlines follow, the change is audited.

Entering next year's holidays before the chinese-calendar package knows them, or correcting a day,
changes how many working days lie before a deadline already stored on a row. save_day() and
delete_days() (the admin calls them) change the calendar and, in the same transaction, let every
app whose deadlines count working time move them: each app registers a keeper,
`keeper(days) -> finish`, called before the change so that it measures its deadlines under the
calendar still in force, whose `finish()` runs after the change, moves them and counts them.
One audit entry records the change and how many deadlines moved.
"""

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import transaction

from gridgov.core import audit, workdays
from gridgov.core.models import CalendarDay

CREATED = audit.register("core.calendarday.created", "新增工作日历调整（并调整相关时限）")
CHANGED = audit.register("core.calendarday.changed", "修改工作日历调整（并调整相关时限）")
DELETED = audit.register("core.calendarday.deleted", "删除工作日历调整（并调整相关时限）")

Keeper = Callable[[set[dt.date]], Callable[[], int]]
_keepers: list[Keeper] = []


def keeps_deadlines(keeper: Keeper) -> None:
    """Register an app's keeper (in AppConfig.ready())."""
    if keeper not in _keepers:
        _keepers.append(keeper)


def _change(days: set[dt.date], write: Callable[[], None]) -> int:
    """Run `write` between the keepers' measuring and moving; the number of deadlines moved."""
    finishes = [keeper(days) for keeper in _keepers]
    try:
        write()
        workdays.forget_overrides()
        return sum(finish() for finish in finishes)
    finally:
        # A rolled-back change must not stay in this process's cache of the town's days.
        transaction.on_commit(workdays.forget_overrides)
        workdays.forget_overrides()


def _described(day: CalendarDay) -> dict:
    return {"date": str(day.date), "is_workday": day.is_workday, "note": day.note}


@transaction.atomic
def save_day(day: CalendarDay, *, actor) -> int:
    """Add or edit a day (an edit may move it to another date); returns the deadlines moved."""
    before = CalendarDay.objects.filter(pk=day.pk).first() if day.pk else None
    moved = _change({day.date} | ({before.date} if before else set()), day.save)
    changes = {**_described(day), "deadlines_moved": moved}
    if before is not None:
        changes["before"] = _described(before)
    audit.record(CHANGED if before else CREATED, actor=actor,
                 target=day, changes=changes)
    return moved


@transaction.atomic
def delete_days(days: Iterable[CalendarDay], *, actor) -> int:
    """Delete days (their dates fall back to the official calendar); returns deadlines moved."""
    days = list(days)
    if not days:
        return 0
    moved = _change({day.date for day in days},
                    lambda: CalendarDay.objects.filter(pk__in=[d.pk for d in days]).delete())
    audit.record(DELETED, actor=actor, target=days[0] if len(days) == 1 else None,
                 changes={"days": [_described(d) for d in days], "deadlines_moved": moved})
    return moved
