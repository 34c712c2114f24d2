import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gridgov.cases import duplicates
from gridgov.cases.actions import act
from gridgov.cases.duplicates import candidates
from gridgov.cases.models import Case, CaseEvent, State
from gridgov.cases.tests.factories import CategoryFactory, notices
from gridgov.core.models import Notice
from gridgov.core.workflow import WorkflowError
from gridgov.grids.geometry import metres_per_degree
from gridgov.grids.tests.factories import UserFactory, centre

pytestmark = pytest.mark.django_db

TEXT = "淞虹路地铁站出口有人占道摆摊卖水果"


def north_of(grid, metres):
    lon, lat = centre(grid.boundary)
    return lon, lat + metres / metres_per_degree(lat)[1]


def look(world, text=TEXT, metres=0, category=None, now=None):
    lon, lat = north_of(world.grid_a1, metres)
    return candidates(category=category or world.category, longitude=lon, latitude=lat,
                      description=text, town=world.town, now=now)


def test_bigram_similarity():
    assert duplicates.similarity("井盖破损", "井盖破损") == 1
    assert duplicates.similarity("人行道井盖破损了", "井盖破损，在人行道上") > 0.4
    assert duplicates.similarity("井盖破损", "路灯不亮") == 0
    assert duplicates.similarity("", "井盖") == 0
    assert duplicates.bigrams("井 盖！") == {"井盖"}


def test_a_nearby_recent_similar_open_case_of_the_same_category_is_offered(world):
    first = world.report(description=TEXT)
    found = look(world, "地铁站出口占道摆摊卖水果", metres=60)
    assert found == [first]
    assert 55 < found[0].distance_m < 65
    assert found[0].similarity >= 0.2


@pytest.mark.parametrize("change", ["far", "other_category", "other_text", "old", "finished",
                                    "other_town"])
def test_what_is_not_a_duplicate(world, change):
    first = world.report(description=TEXT)
    kwargs = {}
    if change == "far":
        kwargs["metres"] = 150
    elif change == "other_category":
        kwargs["category"] = CategoryFactory()
    elif change == "other_text":
        kwargs["text"] = "路灯晚上不亮"
    elif change == "old":
        kwargs["now"] = first.reported_at + dt.timedelta(hours=73)
    elif change == "finished":
        world.walk(first, State.CLOSED)
    elif change == "other_town":
        Case.objects.filter(pk=first.pk).update(town=world.other_town)
    assert look(world, **kwargs) == []


def test_the_window_and_distance_are_settings(world, settings):
    world.report(description=TEXT)
    settings.GRIDGOV_DUPLICATE_METRES = 200
    assert len(look(world, metres=150)) == 1
    settings.GRIDGOV_DUPLICATE_SIMILARITY = 0.99
    assert look(world, "地铁站出口占道摆摊卖水果") == []


def test_merging_keeps_every_reporter_informed_and_counts_once(world):
    neighbour = UserFactory()
    with time_machine.travel(timezone.now(), tick=False):
        kept = world.report(description=TEXT)
        duplicate = world.report(actor=neighbour, description="地铁站出口占道摆摊")
    assert duplicates.candidates_for(duplicate) == [kept]

    merged = act(duplicate, "merge", actor=world.operator, into=kept)[0]
    assert (merged.state, merged.merged_into) == (State.MERGED, kept)
    assert notices("merge") == [("merge", neighbour.pk)]
    assert kept.number in Notice.objects.get(kind="cases.merge").body
    note = CaseEvent.objects.get(case=kept, action="merge_in")
    assert note.data["merged_number"] == duplicate.number

    assert set(Case.objects.counted()) == {kept}
    world.walk(Case.objects.get(pk=kept.pk), State.CLOSED)
    assert {user for _kind, user in notices("close")} == {world.resident.pk, neighbour.pk}


def test_a_case_merged_into_one_later_merged_again_still_reaches_its_reporter(world):
    from gridgov.cases.notifications import reporters_of

    first, second, third = (world.report(actor=UserFactory()) for _ in range(3))
    act(third, "merge", actor=world.operator, into=second)
    act(second, "merge", actor=world.operator, into=first)
    users, _phones = reporters_of(first)
    assert users == {first.reporter_id, second.reporter_id, third.reporter_id}


@pytest.mark.parametrize("target", ["itself", "finished", "merged", "other_town", "out_of_scope"])
def test_bad_merge_targets_are_refused(world, target):
    case = world.report()
    actor = world.operator
    if target == "itself":
        into = case
    elif target == "finished":
        into = world.walk(world.report(), State.CLOSED)
    elif target == "merged":
        into = world.report()
        act(into, "merge", actor=world.operator, into=world.report())
    elif target == "other_town":
        into = world.report(actor=world.other_grid_staff, grid=world.other_grid)
    else:
        from gridgov.accounts.roles import Role
        from gridgov.grids.tests.factories import staff

        case = world.report(grid=world.grid_b1)
        actor = staff(Role.OPERATOR, world.community_b)
        into = world.report(grid=world.grid_a1)
    with pytest.raises(WorkflowError) as refused:
        act(case, "merge", actor=actor, into=into.number)
    assert (refused.value.code, refused.value.field) == ("bad_merge_target", "into")
    assert Case.objects.get(pk=case.pk).state == State.REPORTED
