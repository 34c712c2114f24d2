"""Two people acting on one case at once: exactly one wins, the other gets a clear refusal.

Runs on committed data (live_db) with one database connection per thread, on the SQLite file
(IMMEDIATE transactions) and on PostgreSQL (SELECT ... FOR UPDATE) alike."""

from gridgov.accounts.roles import Role
from gridgov.cases.actions import act
from gridgov.cases.models import Case, CaseEvent, State
from gridgov.cases.tests.factories import CaseWorld
from gridgov.core.tests.concurrency import race
from gridgov.core.workflow import WorkflowError
from gridgov.grids.tests.factories import staff


def test_two_handlers_accepting_one_case_one_wins(live_db):
    world = CaseWorld.build()
    colleague = staff(Role.HANDLER, world.enforcement)
    case = world.walk(world.report(), State.DISPATCHED)
    outcomes = race(
        lambda: act(Case.objects.get(pk=case.pk), "accept", actor=world.handler),
        lambda: act(Case.objects.get(pk=case.pk), "accept", actor=colleague),
    )
    wins = [o for o in outcomes if isinstance(o, tuple)]
    losses = [o for o in outcomes if isinstance(o, WorkflowError)]
    assert len(wins) == 1 and len(losses) == 1, outcomes
    assert losses[0].code == "illegal_transition"
    assert "处置中" in losses[0].message
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    assert Case.objects.get(pk=case.pk).state == State.HANDLING


def test_registering_and_rejecting_at_once_one_wins_and_the_state_says_which(live_db):
    world = CaseWorld.build()
    other_operator = staff(Role.OPERATOR, world.town)
    case = world.report()
    outcomes = race(
        lambda: act(Case.objects.get(pk=case.pk), "register", actor=world.operator),
        lambda: act(Case.objects.get(pk=case.pk), "reject", actor=other_operator,
                    note="重复上报"),
    )
    winner = next(i for i, o in enumerate(outcomes) if isinstance(o, tuple))
    loser = outcomes[1 - winner]
    assert isinstance(loser, WorkflowError) and loser.code == "illegal_transition"
    case = Case.objects.get(pk=case.pk)
    assert case.state == (State.REGISTERED, State.REJECTED)[winner]
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "report", ("register", "reject")[winner]]


def test_case_numbers_taken_at_once_never_repeat(live_db):
    from django.utils import timezone

    from gridgov.cases.workflow import next_number

    moment = timezone.now()
    numbers = race(*[lambda: next_number(moment) for _ in range(8)])
    assert all(isinstance(n, str) for n in numbers), numbers
    assert len(set(numbers)) == 8
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 9))
