"""Scope kinds are a registry apps extend; role assignments are checked against it."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Q

from gridgov.accounts.models import RoleAssignment, assignments_with_scopes
from gridgov.core import scope
from gridgov.grids.models import Community, Grid, Place
from gridgov.grids.tests.factories import CommunityFactory, GridFactory, PlaceFactory, UserFactory, staff


@pytest.fixture
def party_kind():
    """A kind another app would register: a party branch, its records in grids.Community for
    the test's sake."""
    scope.register_kind("party_branch", "党支部", "grids.Community")
    yield scope.kind("party_branch")
    scope._KINDS.pop("party_branch")


def test_the_registry_holds_the_grid_registrys_kinds_with_stable_values():
    assert [value for value, _label in scope.kind_choices()][:4] == [
        "town", "community", "grid", "department"]
    assert scope.kind("grid").model is Grid
    assert str(scope.kind("community").label) == "居民区"
    assert scope.kind_of_model(Community).value == "community"
    with pytest.raises(LookupError):
        scope.kind("no_such_kind")


def test_a_kind_cannot_be_registered_twice_for_another_model():
    scope.register_kind("grid", "网格", "grids.Grid")  # again, the same: harmless
    with pytest.raises(ImproperlyConfigured):
        scope.register_kind("grid", "网格", "grids.Place")


@pytest.mark.django_db
def test_a_registered_kind_finds_and_names_its_records(party_kind):
    branch = CommunityFactory(name="绿八党支部")
    assert party_kind.records([branch.pk]) == {branch.pk: branch}
    assert party_kind.exists(branch.pk) and not party_kind.exists(10**9)
    assert party_kind.ids_named("绿八党支部") == [branch.pk]
    user = UserFactory()
    assignment = RoleAssignment.objects.create(user=user, role="party_affairs",
                                               scope_kind="party_branch", scope_id=branch.pk)
    assignment.full_clean()
    assert assignments_with_scopes(user) == [(assignment, branch)]
    assert assignment.get_scope_kind_display() == "党支部"


@pytest.mark.django_db
def test_an_assignment_to_an_unregistered_kind_does_not_validate():
    user = UserFactory()
    assignment = RoleAssignment(user=user, role="leader", scope_kind="party_branch", scope_id=1)
    with pytest.raises(ValidationError) as refused:
        assignment.full_clean()
    assert "scope_kind" in refused.value.message_dict


def test_placed_rules_build_one_column_test_per_kind():
    rules = scope.placed_rules(community="grid__community_id", grid=None)
    assert set(rules) == {"town", "community"}
    assert rules["town"]({1}) == Q(town_id__in={1})
    assert rules["community"]({2}) == Q(grid__community_id__in={2})


@pytest.mark.django_db
def test_a_rule_through_the_kinds_records_reaches_their_town():
    grid = GridFactory()
    other = PlaceFactory()
    mine = PlaceFactory(grid=grid)
    rule = scope.scope_rule("town_id", via="grids.Grid", column="town_id")
    assert set(Place.objects.filter(rule({grid.pk}))) == {mine}


@pytest.mark.django_db
def test_a_grid_staff_sees_the_places_of_their_grid_only():
    grid, elsewhere = GridFactory(), GridFactory()
    mine, theirs = PlaceFactory(grid=grid), PlaceFactory(grid=elsewhere)
    keeper = staff("grid_staff", grid)
    assert list(Place.objects.visible_to(keeper)) == [mine]
    assert theirs not in Place.objects.visible_to(keeper)
