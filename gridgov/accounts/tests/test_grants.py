"""A role is granted (or taken away) only inside the granter's own scope and never above the
granter's own rights: one rule (actions.check_grant), asked by the admin site and the actions."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from gridgov.accounts import actions
from gridgov.core.errors import Refusal
from gridgov.accounts.models import RoleAssignment
from gridgov.accounts.roles import Role
from gridgov.grids.tests.factories import CommunityFactory, TownFactory, UserFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def towns(db):
    return TownFactory(name="新泾镇", code="020"), TownFactory(name="北新泾街道", code="021")


@pytest.fixture
def town_admin(client, towns):
    admin = staff(Role.ADMIN, towns[0], is_staff=True)
    admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="accounts"))
    client.force_login(admin)
    return admin


def role_form(user, role, kind, scope_id, **fields):
    return {
        "phone": "", "name": user.name, "id_number": "", "is_active": "on", "is_staff": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "role_assignments-INITIAL_FORMS": "0", "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-role": role, "role_assignments-0-scope_kind": kind,
        "role_assignments-0-scope_id": str(scope_id), "role_assignments-0-user": str(user.pk),
        **fields,
    }


def test_an_admin_cannot_give_themselves_a_role_in_another_town(client, town_admin, towns):
    response = client.post(reverse("admin:accounts_user_change", args=[town_admin.pk]),
                           role_form(town_admin, Role.OPERATOR, "town", towns[1].pk))

    assert response.status_code == 200
    assert "只能在本人管理的范围内授予或撤销角色" in response.content.decode()
    assert not town_admin.role_assignments.filter(scope_id=towns[1].pk).exists()


def test_an_admin_cannot_grant_a_role_above_their_own(client, town_admin, towns):
    member = staff(Role.LEADER, towns[0])

    response = client.post(reverse("admin:accounts_user_change", args=[member.pk]),
                           role_form(member, Role.DISTRICT_ADMIN, "town", towns[0].pk))

    assert response.status_code == 200
    assert "无权授予或撤销该角色" in response.content.decode()
    assert not member.role_assignments.filter(role=Role.DISTRICT_ADMIN).exists()


def test_an_admin_grants_within_the_town_down_to_a_community(client, town_admin, towns):
    member = staff(Role.LEADER, towns[0])
    community = CommunityFactory(town=towns[0])

    response = client.post(reverse("admin:accounts_user_change", args=[member.pk]),
                           role_form(member, Role.OPERATOR, "community", community.pk))

    assert response.status_code == 302
    assert member.role_assignments.filter(role=Role.OPERATOR, scope_id=community.pk).exists()


@pytest.mark.parametrize("granter_role", [Role.OPERATOR, Role.LEADER, Role.GRID_STAFF])
def test_staff_who_administer_nothing_grant_nothing(towns, granter_role):
    community = CommunityFactory(town=towns[0])
    granter = staff(granter_role, community)

    with pytest.raises(Refusal) as refused:
        actions.assign_role(UserFactory(), Role.DEPUTY, "community", community.pk, actor=granter)
    assert refused.value.code == "forbidden"


def test_a_role_in_another_town_cannot_be_revoked_either(towns):
    admin = staff(Role.ADMIN, towns[0])
    theirs = staff(Role.OPERATOR, towns[1])

    with pytest.raises(Refusal):
        actions.revoke_role(theirs.role_assignments.get(), actor=admin)
    assert theirs.role_assignments.exists()


def test_a_district_administrator_grants_in_each_of_their_towns_and_only_there(towns):
    district = staff(Role.DISTRICT_ADMIN, towns[0])
    RoleAssignment.objects.create(user=district, role=Role.DISTRICT_ADMIN, scope_kind="town",
                                  scope_id=towns[1].pk)
    elsewhere = TownFactory(name="外区某镇", district_code="310106", code="001")
    person = UserFactory()

    actions.assign_role(person, Role.ADMIN, "town", towns[1].pk, actor=district)
    with pytest.raises(Refusal):
        actions.assign_role(person, Role.ADMIN, "town", elsewhere.pk, actor=district)


def test_an_account_with_rights_beyond_the_admins_is_shown_but_not_changed(client, town_admin,
                                                                          towns):
    # An operator here and in the other town: changing the phone would take over the other.
    both = staff(Role.OPERATOR, towns[0])
    RoleAssignment.objects.create(user=both, role=Role.OPERATOR, scope_kind="town",
                                  scope_id=towns[1].pk)
    district = staff(Role.DISTRICT_ADMIN, towns[0])
    url = reverse("admin:accounts_user_change", args=[both.pk])

    assert client.get(url).status_code == 200
    for target in (both, district):
        url = reverse("admin:accounts_user_change", args=[target.pk])
        response = client.post(url, {**role_form(target, Role.LEADER, "town", towns[0].pk),
                                     "phone": "13711112222"})
        assert response.status_code == 403
        target.refresh_from_db()
        assert target.phone != "13711112222"
    assert not actions.may_manage(town_admin, both)
    assert actions.may_manage(town_admin, staff(Role.OPERATOR, towns[0]))
