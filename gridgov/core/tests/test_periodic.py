import datetime as dt
import io
import time

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from gridgov.core import periodic
from gridgov.core.models import PeriodicTask
from gridgov.core.tests.concurrency import race


def at(*args):
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def registry(monkeypatch):
    """An empty task registry for the test; the apps' own tasks come back afterwards."""
    monkeypatch.setattr(periodic, "_tasks", {})
    return periodic


class Counter:
    def __init__(self, pause=0.0, fail=False):
        self.runs, self.pause, self.fail = 0, pause, fail

    def __call__(self):
        self.runs += 1
        time.sleep(self.pause)
        if self.fail:
            raise RuntimeError("disk full")
        return {"done": self.runs}


def tick(*args, when=None):
    out = io.StringIO()
    with time_machine.travel(when or timezone.now(), tick=False):
        call_command("tick", *args, stdout=out)
    return out.getvalue()


def test_every_app_registers_its_recurring_work():
    names = {task.name for task in periodic.tasks()}
    assert {"cases.deadlines", "indicators.rollup_refresh", "core.deliver_notices"} <= names
    nightly = {task.name for task in periodic.tasks() if task.hours == periodic.NIGHT}
    assert nightly == {"core.clear_sessions", "core.clear_rate_counts", "core.analyze_db",
                       "core.forget_old_notices", "indicators.rollup_rebuild", "cases.sweep_photos",
                       "core.archive_audit"}


@pytest.mark.django_db
def test_a_task_runs_again_only_after_its_interval(registry):
    hourly = Counter()
    registry.register("test.hourly", hourly, every=dt.timedelta(hours=1))
    assert tick(when=at(2026, 12, 1, 9)) == "test.hourly: ok done 1\n"
    assert tick(when=at(2026, 12, 1, 9, 59)) == ""
    assert tick(when=at(2026, 12, 1, 10)) == "test.hourly: ok done 2\n"
    run = PeriodicTask.objects.get(name="test.hourly")
    assert (run.started_at, run.succeeded, run.summary) == (at(2026, 12, 1, 10), True, "done 2")


@pytest.mark.django_db
def test_a_nightly_task_starts_only_at_night_unless_forced(registry):
    nightly = Counter()
    registry.register("test.nightly", nightly, every=periodic.DAILY, hours=periodic.NIGHT)
    tick(when=at(2026, 12, 1, 14))
    assert nightly.runs == 0
    tick(when=at(2026, 12, 2, 2, 1))
    tick(when=at(2026, 12, 2, 2, 2))
    assert nightly.runs == 1
    tick("--force", when=at(2026, 12, 2, 14))
    assert nightly.runs == 2


@pytest.mark.django_db
def test_a_failing_task_is_reported_and_the_others_still_run(registry, caplog):
    broken, healthy = Counter(fail=True), Counter()
    registry.register("test.broken", broken)
    registry.register("test.healthy", healthy)
    out = io.StringIO()
    with pytest.raises(CommandError, match="failed: test.broken"):
        call_command("tick", stdout=out)
    assert "test.broken: FAILED RuntimeError: disk full" in out.getvalue()
    assert healthy.runs == 1
    assert "periodic task test.broken failed" in caplog.text
    failed = PeriodicTask.objects.get(name="test.broken")
    assert (failed.succeeded, failed.summary) == (False, "RuntimeError: disk full")


@pytest.mark.django_db
def test_only_runs_the_named_tasks_and_refuses_unknown_names(registry):
    first, second = Counter(), Counter()
    registry.register("test.first", first)
    registry.register("test.second", second)
    tick("--only", "test.second")
    assert (first.runs, second.runs) == (0, 1)
    with pytest.raises(CommandError, match="unknown task: test.third"):
        tick("--only", "test.third")


@pytest.mark.django_db
def test_list_shows_the_tasks_and_their_last_runs_and_runs_nothing(registry):
    hourly = Counter()
    registry.register("test.hourly", hourly, every=dt.timedelta(hours=1))
    registry.register("test.nightly", Counter(), every=periodic.DAILY, hours=periodic.NIGHT)
    tick(when=at(2026, 12, 1, 9))
    listing = tick("--list", when=at(2026, 12, 1, 11))
    assert hourly.runs == 1
    assert "test.hourly: every 1:00:00; last 2026-12-01 09:00:00 ok done 1" in listing
    assert "test.nightly: every 20:00:00 between 02:00 and 05:00; never run" in listing


@pytest.mark.django_db
def test_a_running_task_is_not_started_twice_until_its_run_is_stale(registry):
    task = Counter()
    registry.register("test.task", task)
    PeriodicTask.objects.create(name="test.task", started_at=at(2026, 12, 1, 9))  # never finished
    tick("--force", when=at(2026, 12, 1, 9, 30))
    assert task.runs == 0
    tick(when=at(2026, 12, 1, 9) + periodic.STALE_AFTER)  # its process died
    assert task.runs == 1


def test_two_ticks_at_once_run_each_task_once(live_db, registry):
    slow, frequent = Counter(pause=0.3), Counter()
    registry.register("test.slow", slow, every=dt.timedelta(hours=1))
    registry.register("test.frequent", frequent)
    assert all(isinstance(outcomes, list) for outcomes in race(periodic.run, periodic.run))
    assert (slow.runs, frequent.runs) == (1, 1)
