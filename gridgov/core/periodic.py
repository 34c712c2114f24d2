"""Recurring work: each app registers its tasks here, `gridgov tick` runs those that are due.

Cron (or a systemd timer) runs `gridgov tick` every minute; nothing needs a message broker. Each
app registers its tasks in AppConfig.ready() with a name, a minimum interval and, for heavy
nightly work, the local hours in which it may start:

    periodic.register("cases.deadlines", sweep, every=periodic.EVERY_TICK)
    periodic.register("indicators.rollup_rebuild", rebuild, every=periodic.DAILY, hours=periodic.NIGHT)

The last run of each task is a PeriodicTask row. A tick claims a due task with one
compare-and-set UPDATE (still due, not running) and runs it only when that UPDATE changed the row:
two ticks at once, on SQLite or PostgreSQL (whose second UPDATE waits for the first and then
re-checks the condition), run each task once. A task that raises is logged and recorded; the
others still run, and the tick ends with an error naming it. A run that never finished (its
process killed) is taken as dead after STALE_AFTER, so the task is not blocked for ever.
"""

import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management import call_command
from django.db.models import F, Q
from django.utils import timezone

from gridgov.core.models import PeriodicTask

logger = logging.getLogger(__name__)

# Cron starts the tick every minute; a second tick within half a minute finds these not due, so
# two ticks started together (or a tick started by hand beside cron's) run them once.
EVERY_TICK = dt.timedelta(seconds=30)
# Once a night: at most once in 20 hours, started within NIGHT (local hours, end excluded).
DAILY = dt.timedelta(hours=20)
NIGHT = (2, 5)
# A run still marked running after this long died with its process; the task may start again.
STALE_AFTER = dt.timedelta(hours=2)


@dataclass(frozen=True)
class Task:
    name: str
    run: Callable[[], object]  # returns a summary for the tick's output: text, counts or None
    every: dt.timedelta
    hours: tuple[int, int] | None = None

    def in_hours(self, now: dt.datetime) -> bool:
        if self.hours is None:
            return True
        start, end = self.hours
        return start <= timezone.localtime(now).hour < end


_tasks: dict[str, Task] = {}


def register(name: str, run: Callable[[], object], *, every: dt.timedelta = EVERY_TICK,
             hours: tuple[int, int] | None = None) -> None:
    _tasks[name] = Task(name, run, every, hours)


def tasks() -> list[Task]:
    return list(_tasks.values())


def command(name: str, *args) -> Callable[[], str]:
    """A task that runs a management command, its output as the summary."""

    def run() -> str:
        out = io.StringIO()
        call_command(name, *args, stdout=out)
        return out.getvalue().strip()

    return run


@dataclass
class Outcome:
    task: Task
    ran: bool = False
    failed: bool = False
    summary: str = ""


def claim(task: Task, now: dt.datetime, *, force: bool = False) -> bool:
    """Mark the task started at `now` if it is due (or forced) and not running; False when it is
    not due, or another tick got there first."""
    PeriodicTask.objects.bulk_create([PeriodicTask(name=task.name)], ignore_conflicts=True)
    never_ran = Q(started_at__isnull=True)
    idle = never_ran | Q(finished_at__gte=F("started_at")) | Q(started_at__lte=now - STALE_AFTER)
    due = never_ran | Q(started_at__lte=now - task.every)
    condition = idle if force else idle & due
    return PeriodicTask.objects.filter(condition, name=task.name).update(started_at=now) == 1


def _finish(task: Task, started: dt.datetime, *, succeeded: bool, summary: str) -> None:
    PeriodicTask.objects.filter(name=task.name, started_at=started).update(
        finished_at=max(timezone.now(), started), succeeded=succeeded, summary=summary[:500],
    )


def _summary(result) -> str:
    if isinstance(result, dict):  # counts: {"sent": 3, "retrying": 1}
        return ", ".join(f"{key} {value}" for key, value in result.items())
    return "" if result is None else str(result)


def run(*, only: list[str] | None = None, force: bool = False,
        now: dt.datetime | None = None) -> list[Outcome]:
    """Run the due tasks (all, or those named in `only`), each claimed first; never raises for a
    failing task."""
    chosen = [_tasks[name] for name in only] if only else tasks()
    outcomes = []
    for task in chosen:
        moment = now or timezone.now()
        outcome = Outcome(task)
        outcomes.append(outcome)
        if not (force or task.in_hours(moment)) or not claim(task, moment, force=force):
            continue
        outcome.ran = True
        try:
            result = task.run()
        except Exception as error:
            logger.exception("periodic task %s failed", task.name)
            outcome.failed = True
            outcome.summary = f"{type(error).__name__}: {error}"
        else:
            outcome.summary = _summary(result)
        _finish(task, moment, succeeded=not outcome.failed, summary=outcome.summary)
    return outcomes
