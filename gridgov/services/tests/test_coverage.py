"""The two coverages against hand-counted figures, their scope, pages and API."""

import pytest
from django.urls import reverse

from gridgov.services import coverage
from gridgov.services.models import Organisation, Sector
from gridgov.services.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(world):
    """Grid a1: 4 organisations (2 in the building); grid b1: 2; another town: 1.

    name        grid  building  sector    own org  attached   work
    甲          a1    大厦       building  yes      -          yes   -> both
    乙          a1    大厦       building  no       楼宇党委    no    -> org only
    丙          a1    -          shop      no       -          yes   -> work only
    丁          a1    -          workers   no       -          no    -> none
    戊          b1    -          shop      yes      -          yes   -> both
    己          b1    -          platform  no       -          no    -> none
    """
    make = OrganisationFactory
    make(town=world.town, grid=world.grid_a1, building=world.building, name="甲",
         sector=Sector.BUILDING_ENTERPRISE, has_party_org=True, work_covered=True)
    make(town=world.town, grid=world.grid_a1, building=world.building, name="乙",
         sector=Sector.BUILDING_ENTERPRISE, attached_to="楼宇联合党委")
    make(town=world.town, grid=world.grid_a1, name="丙", sector=Sector.SHOP, work_covered=True)
    make(town=world.town, grid=world.grid_a1, name="丁", sector=Sector.WORKER_GROUP)
    make(town=world.town, grid=world.grid_b1, name="戊", sector=Sector.SHOP,
         has_party_org=True, work_covered=True)
    make(town=world.town, grid=world.grid_b1, name="己", sector=Sector.PLATFORM)
    make(town=world.other_town, name="外镇", has_party_org=True, work_covered=True)


def figures(rows):
    return {r.label: (r.total, r.organisation_covered, r.work_covered, r.both,
                      r.organisation_rate, r.work_rate, r.both_rate) for r in rows}


def test_rates_by_grid_building_and_sector_match_hand_counts(world, register):
    orgs = coverage.register_for(world.party_affairs)
    assert figures(coverage.coverage_by(orgs, "grid")) == {
        world.grid_a1.name: (4, 2, 2, 1, 0.5, 0.5, 0.25),
        world.grid_b1.name: (2, 1, 1, 1, 0.5, 0.5, 0.5),
    }
    by_building = figures(coverage.coverage_by(orgs, "building"))
    assert by_building["示例虹桥大厦"] == (2, 2, 1, 1, 1.0, 0.5, 0.5)
    assert by_building["（未落网格/楼宇）"] == (4, 1, 2, 1, 0.25, 0.5, 0.25)
    assert figures(coverage.coverage_by(orgs, "sector")) == {
        "楼宇企业": (2, 2, 1, 1, 1.0, 0.5, 0.5),
        "街区商户": (2, 1, 2, 1, 0.5, 1.0, 0.5),
        "新就业群体": (1, 0, 0, 0, 0.0, 0.0, 0.0),
        "平台企业": (1, 0, 0, 0, 0.0, 0.0, 0.0),
    }
    total = coverage.coverage_total(orgs)
    assert (total.total, total.organisation_covered, total.work_covered, total.both,
            total.both_rate) == (6, 3, 3, 2, round(2 / 6, 4))
    assert set(coverage.uncovered(orgs).values_list("name", flat=True)) == {"乙", "丙", "丁", "己"}


def test_scope_grid_staff_see_their_grid_only_and_the_other_town_nothing(world, register):
    assert figures(coverage.coverage_by(coverage.register_for(world.grid_staff), "grid")) == {
        world.grid_a1.name: (4, 2, 2, 1, 0.5, 0.5, 0.25)}
    other = coverage.register_for(world.other_operator)
    assert coverage.coverage_total(other).total == 1
    assert coverage.coverage_total(Organisation.objects.none()).both_rate is None


def test_pages_and_api_refuse_residents_handlers_and_deputies(client, world, register):
    for user in (world.resident, world.handler, world.deputy):
        client.force_login(user)
        assert client.get(reverse("services:coverage")).status_code == 403
        assert client.get(reverse("services:uncovered")).status_code == 403
        assert client.get("/api/services/coverage").status_code == 403


def test_the_coverage_page_table_map_and_export(client, world, register):
    client.force_login(world.party_affairs)
    page = client.get(reverse("services:coverage"), {"by": "sector"})
    assert page.status_code == 200
    assert page.context["total"].both == 2
    assert "coverage-map.js" in page.content.decode()
    grids = page.context["map"]["grids"]
    assert {g["name"]: g["both_rate"] for g in grids} == {world.grid_a1.name: 0.25,
                                                           world.grid_b1.name: 0.5}
    assert client.get(reverse("services:coverage"), {"by": "<x>"}).status_code == 200
    export = client.get(reverse("services:coverage_export"))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    api = client.get("/api/services/coverage", {"by": "grid"}).json()
    assert api["total"]["both"] == 2
    assert client.get("/api/services/coverage", {"by": "x"}).status_code == 400
    names = [o["name"] for o in client.get("/api/services/coverage/uncovered").json()]
    assert sorted(names) == sorted(["乙", "丙", "丁", "己"])
