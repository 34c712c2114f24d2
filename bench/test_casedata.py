"""The benchmark's invented cases are what the platform itself would hold: the numbers measured on
them mean something only if the data obeys the product's rules. (Part of `make test`; alone: .venv/bin/pytest bench)"""

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, Sum
from django.utils import timezone

from bench import casedata
from gridgov.cases import actions, deadlines, search
from gridgov.cases.models import (
    FINISHED_STATES,
    OPEN_STATES,
    Case,
    CaseEvent,
    CaseNumberSequence,
    Category,
    ExtensionRequest,
    Source,
    State,
)
from gridgov.grids import lookup
from gridgov.indicators import rollup
from gridgov.indicators.models import CaseDailyStat

COUNT = 1500


@pytest.fixture
def generated(db):
    casedata.load_registry(write=lambda *a: None)
    stats = casedata.generate(COUNT, seed=7, event_share=0.5, write=lambda *a: None)
    return stats


def test_every_case_lies_in_the_grid_the_lookup_gives(generated):
    cases = list(Case.objects.values_list("longitude", "latitude", "grid_id"))
    assert len(cases) == COUNT
    found = lookup.locate_many([(lon, lat) for lon, lat, _ in cases])
    assert [r.assigned_grid_id for r in found] == [grid for _, _, grid in cases]


def test_deadlines_are_the_products(generated):
    categories = {c.pk: c for c in Category.objects.all()}
    running = Case.objects.filter(registered_at__isnull=False, clock_paused_at=None)
    checked = 0
    for case in running.order_by("?")[:200]:
        due, warn = deadlines.compute(categories[case.category_id], case.urgency, case.registered_at)
        assert abs((case.due_at - due).total_seconds()) <= 1, case.number
        assert abs((case.warn_at - warn).total_seconds()) <= 1, case.number
        checked += 1
    assert checked == 200


def test_states_carry_the_fields_the_workflow_sets(generated):
    states = Counter(Case.objects.values_list("state", flat=True))
    assert states[State.EVALUATED] + states[State.CLOSED] > COUNT / 2
    assert sum(states[s] for s in OPEN_STATES) + states[State.REPORTED] > 0
    assert not Case.objects.filter(state__in=FINISHED_STATES, closed_at=None).exists()
    assert not Case.objects.filter(state__in=FINISHED_STATES, closed_on_time=None).exists()
    assert not Case.objects.filter(state__in=OPEN_STATES, registered_at=None).exists()
    assert not Case.objects.filter(state=State.REJECTED, registered_at__isnull=False).exists()
    assert not Case.objects.filter(state=State.DISPATCHED, department=None).exists()
    assert not Case.objects.filter(state=State.SUSPENDED, clock_paused_at=None).exists()
    assert not Case.objects.filter(is_self_handled=True).exclude(source=Source.PATROL).exists()
    late = Case.objects.filter(state__in=FINISHED_STATES, closed_on_time=False)
    assert all(c.closed_at > c.due_at for c in late)
    # The deadline sweep runs every minute: a deadline passed a while ago has been marked.
    overdue = Case.objects.overdue(now=timezone.now() - dt.timedelta(minutes=10))
    assert overdue.exists()
    assert not overdue.filter(escalated_at=None).exists()
    for paused in Case.objects.filter(state=State.HANDLING, clock_paused_at__isnull=False):
        assert ExtensionRequest.objects.filter(case=paused, status="pending").exists()


def test_event_histories_end_in_the_case_state(generated):
    with_events = Case.objects.filter(events__isnull=False).distinct()
    assert COUNT * 0.4 < with_events.count() < COUNT * 0.6
    for case in with_events[:300]:
        last = case.events.order_by("at", "id").last()
        assert last.to_state == case.state, (case.number, last.action)
        assert case.events.order_by("at", "id").first().action == "report"


def test_search_index_and_rollup_agree_with_the_rows(generated):
    case = Case.objects.order_by("?").first()
    term = case.description[:6]
    assert case in search.search(Case.objects.all(), term)
    counted = Case.objects.counted()
    stats = CaseDailyStat.objects.aggregate(registered=Sum("registered"), due=Sum("due"),
                                            closed=Sum("closed"))
    assert stats["registered"] == counted.filter(registered_at__isnull=False).count()
    assert stats["closed"] == counted.filter(state__in=FINISHED_STATES, registered_at__isnull=False,
                                             clock_paused_at=None).count()
    assert rollup.refreshed_through() is not None


def test_numbers_follow_the_daily_sequence_and_intake_continues(generated):
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == COUNT
    last_day = CaseNumberSequence.objects.aggregate(day=Max("day"))["day"]
    assert last_day >= timezone.localdate() - dt.timedelta(days=2)
    category = Category.objects.filter(is_active=True).first()
    place = Case.objects.first()
    new = actions.report_case(actor=AnonymousUser(), category=category, description="井盖又坏了",
                              longitude=place.longitude, latitude=place.latitude,
                              source=Source.RESIDENT, is_anonymous=True)
    assert new.number not in numbers
    assert CaseEvent.objects.filter(case=new, action="report").exists()
