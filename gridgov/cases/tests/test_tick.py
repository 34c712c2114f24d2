import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from gridgov.cases import sweep
from gridgov.cases.actions import act
from gridgov.cases.models import Case, CaseEvent, State
from gridgov.cases.tests.factories import CaseWorld, notices
from gridgov.core.models import AuditEntry
from gridgov.core.tests.concurrency import race


def at(*args):
    return timezone.make_aware(dt.datetime(*args))


def dispatched(world, when=(2026, 11, 23, 10)):
    with time_machine.travel(at(*when), tick=False):
        return world.walk(world.report(), State.DISPATCHED)


def tick(when):
    out = io.StringIO()
    with time_machine.travel(at(*when), tick=False):
        call_command("tick", "--only", "cases.deadlines", stdout=out)
    return out.getvalue().strip().removeprefix("cases.deadlines: ok ")


@pytest.mark.django_db
def test_a_case_is_warned_once_then_escalated_once(world):
    case = dispatched(world)  # due Monday 30th 18:00, warned Friday 27th from 14:15
    assert case.warn_at == at(2026, 11, 27, 14, 15)
    assert tick((2026, 11, 27, 14)) == "overdue 0, warned 0, failed 0"
    assert tick((2026, 11, 27, 15)) == "overdue 0, warned 1, failed 0"
    assert tick((2026, 11, 27, 16)) == "overdue 0, warned 0, failed 0"
    warned = CaseEvent.objects.get(case=case, action="warned")
    assert warned.actor is None and warned.actor_label == "系统"
    assert notices("warned") == [("warned", world.handler.pk)]

    assert tick((2026, 12, 1, 9)) == "overdue 1, warned 0, failed 0"
    assert tick((2026, 12, 1, 9, 5)) == "overdue 0, warned 0, failed 0"
    assert CaseEvent.objects.filter(case=case, action="overdue").count() == 1
    case.refresh_from_db()
    assert case.escalated_at == at(2026, 12, 1, 9)
    overdue = {user for _kind, user in notices("overdue")}
    assert overdue == {world.operator.pk, world.handler.pk}  # supervisors and the department
    assert AuditEntry.objects.filter(action="cases.case.became_overdue", object_id=str(case.pk)).count() == 1


@pytest.mark.django_db
def test_paused_and_finished_cases_are_left_alone(world):
    suspended = dispatched(world)
    act(suspended, "suspend", actor=world.operator, note="x")
    closed = world.walk(dispatched(world), State.CLOSED)
    assert tick((2027, 1, 5, 10)) == "overdue 0, warned 0, failed 0"
    assert not CaseEvent.objects.filter(case__in=[suspended, closed],
                                        action__in=["overdue", "warned"]).exists()


@pytest.mark.django_db
def test_an_approved_extension_lets_the_new_deadline_be_watched_again(world):
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        case = world.walk(world.report(), State.HANDLING)
    tick((2026, 12, 1, 9))
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        case, _ = act(case, "request_extension", actor=world.handler, working_days=5, note="x")
        case, _ = act(case, "approve_extension", actor=world.operator)
    assert case.escalated_at is None and case.due_at > at(2026, 12, 1, 10)
    tick((2026, 12, 31, 9))
    assert CaseEvent.objects.filter(case=case, action="overdue").count() == 2


@pytest.mark.django_db
def test_one_failing_row_does_not_stop_the_batch_and_is_tried_again(world, monkeypatch):
    first, second = dispatched(world), dispatched(world)
    from gridgov.core import workflow

    real_record = workflow.audit.record

    def broken_for_first(action, *, actor, target=None, changes=None):
        if target is not None and target.pk == first.pk:
            raise RuntimeError("disk full")
        return real_record(action, actor=actor, target=target, changes=changes)

    monkeypatch.setattr(workflow.audit, "record", broken_for_first)
    assert tick((2026, 12, 1, 9)) == "overdue 1, warned 0, failed 1"
    first.refresh_from_db()
    assert first.escalated_at is None  # rolled back with its row's transaction
    assert CaseEvent.objects.filter(case=second, action="overdue").count() == 1

    monkeypatch.setattr(workflow.audit, "record", real_record)
    assert tick((2026, 12, 1, 9, 5)) == "overdue 1, warned 0, failed 0"


@pytest.mark.django_db
def test_candidates_are_bounded_per_run(world):
    cases = [dispatched(world) for _ in range(3)]
    with time_machine.travel(at(2026, 12, 1, 9), tick=False):
        assert sweep.sweep_deadlines(limit=2)["overdue"] == 2
        assert sweep.sweep_deadlines(limit=2)["overdue"] == 1
    assert Case.objects.filter(pk__in=[c.pk for c in cases], escalated_at=None).count() == 0


def test_two_sweeps_at_once_escalate_a_case_once(live_db):
    world = CaseWorld.build()
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        cases = [world.walk(world.report(), State.DISPATCHED) for _ in range(4)]
    results = race(*[lambda: sweep.sweep_deadlines(now=at(2026, 12, 1, 9))] * 2)
    assert sum(r["overdue"] for r in results) == 4
    assert sum(r["failed"] for r in results) == 0
    for case in cases:
        assert CaseEvent.objects.filter(case=case, action="overdue").count() == 1
