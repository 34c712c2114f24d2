"""Who reads which cases (CaseQuerySet.readers, docs/security.md): a deputy the cases of their
constituency (community assignments) only, masked; party-affairs staff none. Asked by the API
and the pages alike."""

import pytest
from django.urls import reverse

from gridgov.accounts.roles import Role
from gridgov.grids.tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    return {"a": world.report(grid=world.grid_a1, reporter_phone="13812345678",
                              reporter_name="欧阳晓明"),
            "b": world.report(grid=world.grid_b1)}


def listed(client, user):
    client.force_login(user)
    response = client.get("/api/cases/")
    assert response.status_code == 200
    return {row["number"] for row in response.json()["items"]}


@pytest.mark.parametrize("role", [Role.DEPUTY, Role.PARTY_AFFAIRS])
def test_a_town_wide_deputy_or_party_affairs_lists_no_case_of_the_town(client, world, cases,
                                                                      role):
    user = staff(role, world.town)

    assert listed(client, user) == set()
    for case in cases.values():
        assert client.get(f"/api/cases/{case.pk}").status_code == 404
        assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404


def test_party_affairs_of_a_community_read_no_case_either(client, world, cases):
    assert listed(client, staff(Role.PARTY_AFFAIRS, world.community_a)) == set()


def test_a_deputy_reads_the_cases_of_the_constituency_masked(client, world, cases):
    deputy = staff(Role.DEPUTY, world.community_a)

    assert listed(client, deputy) == {cases["a"].number}
    assert client.get(f"/api/cases/{cases['b'].pk}").status_code == 404
    detail = client.get(f"/api/cases/{cases['a'].pk}").content.decode()
    assert "13812345678" not in detail and "欧阳晓明" not in detail
    assert client.post(reverse("cases:reveal_contact", args=[cases["a"].pk])).status_code == 403


def test_a_deputy_still_reads_the_case_they_reported(client, world):
    deputy = staff(Role.DEPUTY, world.town)
    own = world.report(actor=deputy)

    assert listed(client, deputy) == {own.number}


def test_the_roles_that_work_cases_still_read_their_scope(client, world, cases):
    assert listed(client, world.operator) == {cases["a"].number, cases["b"].number}
    assert listed(client, world.operator_b) == {cases["b"].number}
