"""The admin site's user page: roles go through the accounts actions; no self-made superusers."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from gridgov.accounts.models import RoleAssignment
from gridgov.core.models import AuditEntry
from gridgov.core.scope import ScopeKind
from gridgov.grids.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_admin(town):
    """Like the demo's 管理员: admin-site access and gridgov's model permissions, no superuser."""
    admin = UserFactory(is_staff=True)
    admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="accounts"))
    RoleAssignment.objects.create(user=admin, role="admin", scope_kind=ScopeKind.TOWN,
                                  scope_id=town.pk)
    return admin


@pytest.fixture
def user(user, town):
    """A member of the town's staff: an administrator sees and edits only those (an account
    without a role belongs to no town)."""
    RoleAssignment.objects.create(user=user, role="party_affairs", scope_kind=ScopeKind.TOWN,
                                  scope_id=town.pk)
    return user


def change_form(user, *roles, delete=(), **fields):
    data = {
        "phone": user.phone, "name": user.name, "id_number": "", "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "role_assignments-INITIAL_FORMS": str(len(delete)),
        "role_assignments-TOTAL_FORMS": str(len(delete) + len(roles)),
        "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for n, assignment in enumerate(delete):
        data[f"role_assignments-{n}-id"] = str(assignment.pk)
        data[f"role_assignments-{n}-user"] = str(user.pk)
        data[f"role_assignments-{n}-DELETE"] = "on"
    for n, (role, kind, scope_id) in enumerate(roles, start=len(delete)):
        data.update({f"role_assignments-{n}-role": role, f"role_assignments-{n}-scope_kind": kind,
                     f"role_assignments-{n}-scope_id": str(scope_id),
                     f"role_assignments-{n}-user": str(user.pk)})
    return data


def url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def test_role_added_in_the_admin_is_checked_and_audited(client, town_admin, user, department):
    client.force_login(town_admin)

    response = client.post(url(user), change_form(user, ("handler", "department", department.pk)))

    assert response.status_code == 302
    assert user.role_assignments.filter(role="handler", scope_id=department.pk).exists()
    entry = AuditEntry.objects.get(action="accounts.role.assigned")
    assert entry.actor_id == town_admin.pk


@pytest.mark.parametrize("role, kind, message", [
    ("handler", "town", "该角色不能授予此类范围"),
    ("grid_staff", "grid", "授权范围不存在"),
])
def test_role_the_actions_refuse_is_refused_in_the_admin(client, town_admin, user, town, role,
                                                        kind, message):
    client.force_login(town_admin)

    response = client.post(url(user), change_form(user, (role, kind, 987654 if kind == "grid"
                                                         else town.pk)))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not user.role_assignments.exclude(role="party_affairs").exists()


def test_role_removed_in_the_admin_is_audited(client, town_admin, user, town):
    assignment = RoleAssignment.objects.create(user=user, role="leader", scope_kind="town",
                                               scope_id=town.pk)
    client.force_login(town_admin)

    response = client.post(url(user), change_form(user, delete=[assignment]))

    assert response.status_code == 302
    assert not user.role_assignments.filter(role="leader").exists()
    assert AuditEntry.objects.get(action="accounts.role.revoked").actor_id == town_admin.pk


def test_a_town_admin_cannot_make_anyone_superuser(client, town_admin, user):
    client.force_login(town_admin)

    for target in (user, town_admin):
        response = client.post(url(target), change_form(target, is_superuser="on",
                                                        is_staff="on"))
        assert response.status_code == 302
        target.refresh_from_db()
        assert not target.is_superuser


def test_a_superuser_can(client, user):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    client.post(url(user), change_form(user, is_superuser="on"))

    user.refresh_from_db()
    assert user.is_superuser


def test_search_finds_a_full_phone_number_only_within_the_filtered_list(client, town_admin, town):
    member = UserFactory(phone="13911110000", name="诸葛亮", is_active=False)
    RoleAssignment.objects.create(user=member, role="leader", scope_kind=ScopeKind.TOWN,
                                  scope_id=town.pk)
    client.force_login(town_admin)
    changelist = reverse("admin:accounts_user_changelist")

    assert "诸*亮" in client.get(changelist, {"q": "13911110000"}).content.decode()
    assert "诸*亮" not in client.get(changelist, {"q": "13911110000",
                                                "is_active__exact": "1"}).content.decode()


def test_the_admin_greets_by_the_masked_name_not_the_hash(client):
    user = UserFactory(name="欧阳明华", is_staff=True, is_superuser=True)
    client.force_login(user)
    page = client.get("/admin/").content.decode()
    assert "欧**华" in page and user.phone_index not in page


def test_the_admin_site_greets_by_name_never_by_the_stored_hash(client):
    from gridgov.accounts.roles import Role
    from gridgov.grids.tests.factories import TownFactory, staff

    admin_user = staff(Role.ADMIN, TownFactory(), name="林海涛", is_staff=True)
    client.force_login(admin_user)
    html = client.get("/admin/").content.decode()
    assert "<strong>林*涛</strong>" in html  # masked, as in the top bar of every page
    assert admin_user.phone_index not in html
