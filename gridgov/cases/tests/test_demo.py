from collections import Counter

import pytest

from gridgov.cases.demo import load_demo_cases
from gridgov.cases.models import Case, CaseEvent, State
from gridgov.core.models import AuditEntry
from gridgov.demo import registry
from gridgov.demo.loaders import load_demo_accounts, load_grid_teams, load_registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_town():
    context = registry.DemoContext(write=lambda text: None)
    for loader in (load_registry, load_grid_teams, load_demo_accounts):
        loader(context)
    return context


def test_demo_cases_spread_over_the_states_and_grids_once(demo_town):
    made = load_demo_cases(demo_town.town, demo_town.random("cases"), count=120)
    assert made == 120
    cases = Case.objects.filter(town=demo_town.town)
    states = Counter(cases.values_list("state", flat=True))
    assert {State.REPORTED, State.REGISTERED, State.DISPATCHED, State.HANDLING, State.CLOSED,
            State.EVALUATED, State.REJECTED} <= set(states)
    assert states[State.CLOSED] + states[State.EVALUATED] > len(cases) / 3
    assert cases.values("grid").distinct().count() >= 8
    assert all(c.is_sample and c.description.startswith("示例：") for c in cases)
    assert cases.filter(is_self_handled=True).exists()
    # Each case's history was written by the workflow, in order, in the past.
    for case in cases.filter(state=State.EVALUATED)[:10]:
        actions = list(case.events.values_list("action", flat=True))
        assert actions[0] == "report" and actions[-1] == "evaluate"
        moments = list(case.events.values_list("at", flat=True))
        assert moments == sorted(moments)
        assert case.closed_on_time is not None and case.handling_hours is not None

    events, audit = CaseEvent.objects.count(), AuditEntry.objects.count()
    assert load_demo_cases(demo_town.town, demo_town.random("cases"), count=120) == 0
    assert (CaseEvent.objects.count(), AuditEntry.objects.count()) == (events, audit)


def test_sample_cases_notify_no_one(demo_town):
    from gridgov.core.models import Notice

    load_demo_cases(demo_town.town, demo_town.random("cases"), count=15)
    assert not Notice.objects.exists()


def test_the_demo_cases_are_in_the_search_indexes_before_the_first_tick(demo_town, monkeypatch):
    from django.db import connection

    from gridgov.cases import demo, search

    few = demo.load_demo_cases
    monkeypatch.setattr(demo, "load_demo_cases", lambda town, rng: few(town, rng, count=20))
    demo.load_cases(demo_town)
    assert Case.objects.count() == 20
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for index in search.INDEXES:
                cursor.execute(f"SELECT count(*) FROM {index.sqlite_backlog}")
                assert cursor.fetchone() == (0,)
    assert search.catch_up() == "0 rows indexed"
