import pytest

from gridgov.core.models import AuditEntry
from gridgov.grids import actions
from gridgov.grids.tests.factories import TownFactory, UserFactory, staff

pytestmark = pytest.mark.django_db


def test_create_place_files_it_under_its_grid_and_audits(town):
    actor = UserFactory()
    place = actions.create_place(actor=actor, town=town.town, kind="metro", name="淞虹路站",
                                 longitude=121.015, latitude=31.005)
    assert place.grid == town.b
    entry = AuditEntry.objects.get(action="grids.place.created")
    assert entry.actor == actor and entry.changes == {"kind": "metro", "grid": town.b.pk,
                                                      "lookup": "inside"}


def test_a_place_on_a_shared_edge_goes_to_the_lowest_grid_id(town):
    place = actions.create_place(actor=None, town=town.town, kind="shop", name="界上小店",
                                 longitude=121.01, latitude=31.005)
    assert place.grid == min(town.a, town.b, key=lambda g: g.pk)
    assert AuditEntry.objects.get(action="grids.place.created").changes["lookup"] == "border"


def test_a_place_of_another_town_is_not_filed_under_this_towns_grid(town):
    place = actions.create_place(actor=None, town=TownFactory(code="099"), kind="shop",
                                 name="外镇小店", longitude=121.005, latitude=31.005)
    assert place.grid is None


@pytest.mark.parametrize("role, scope, allowed", [
    ("grid_staff", "a", True), ("grid_staff", "b", False), ("operator", "north", True),
    ("operator", "south", False), ("admin", "town", True), ("leader", "town", False),
    ("party_affairs", "town", False), ("handler", "department", False),
])
def test_who_may_see_a_full_phone(town, role, scope, allowed):
    user = staff(role, getattr(town, scope))
    assert actions.may_see_full_phone(user, town.posts[1]) is allowed


def test_a_place_saved_in_the_admin_gets_its_grid_from_its_coordinates(client, town):
    from django.urls import reverse

    from gridgov.grids.models import Place

    admin_user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    response = client.post(reverse("admin:grids_place_add"), {
        "town": town.town.pk, "kind": "shop", "name": "后台小店", "address": "",
        "longitude": "121.025", "latitude": "31.005"})
    assert response.status_code == 302
    assert Place.objects.get(name="后台小店").grid == town.c
