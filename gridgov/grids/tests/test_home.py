"""Party-affairs staff's home page: their grids and the grid teams' party line, counted within
their scope, with the way to the grid map (which their role opens)."""

import pytest
from django.urls import reverse

from gridgov.accounts.roles import Role
from gridgov.grids.models import StaffLine
from gridgov.grids.tests.factories import (
    CommunityFactory,
    GridFactory,
    GridStaffFactory,
    TownFactory,
    staff,
)

pytestmark = pytest.mark.django_db


def test_party_affairs_see_grids_and_party_members_of_their_scope(client):
    town = TownFactory()
    community = CommunityFactory(town=town)
    with_party, without = GridFactory(community=community), GridFactory(community=community)
    GridStaffFactory(grid=with_party, line=StaffLine.PARTY)
    GridStaffFactory(grid=without, line=StaffLine.SAFETY)
    elsewhere = GridFactory(community=CommunityFactory(town=TownFactory()))
    GridStaffFactory(grid=elsewhere, line=StaffLine.PARTY)

    client.force_login(staff(Role.PARTY_AFFAIRS, town))
    response = client.get(reverse("core:home"))
    [panel] = response.context["panels"]
    assert dict(panel.figures) == {"居民区": "1", "网格": "2", "党建网格员": "1",
                                   "没有党建网格员的网格": "1"}
    assert panel.url == reverse("grids:map")
    assert client.get(panel.url).status_code == 200


def test_other_roles_see_no_party_panel(client):
    town = TownFactory()
    client.force_login(staff(Role.OPERATOR, town))
    assert not [p for p in client.get(reverse("core:home")).context["panels"]
                if p.title == "网格与党建网格员"]
