import pytest

from gridgov.accounts import actions
from gridgov.accounts.models import RoleAssignment
from gridgov.accounts.roles import Role
from gridgov.grids.tests.factories import UserFactory
from gridgov.core.errors import Refusal
from gridgov.core.models import AuditEntry
from gridgov.core.scope import ScopeKind, roles_of, scope_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(town):
    admin = UserFactory()
    RoleAssignment.objects.create(user=admin, role=Role.ADMIN, scope_kind=ScopeKind.TOWN,
                                  scope_id=town.pk)
    return admin


def test_assigning_a_role_records_it_and_audits_who_gave_it(user, department, admin):
    assert roles_of(user) == set()

    assignment = actions.assign_role(user, Role.HANDLER, ScopeKind.DEPARTMENT, department.pk,
                                     actor=admin)

    assert assignment.user == user
    # The user's cached assignments are forgotten, so the new role counts at once.
    assert roles_of(user) == {Role.HANDLER}
    assert scope_ids(user) == {ScopeKind.DEPARTMENT: {department.pk}}
    entry = AuditEntry.objects.get(action="accounts.role.assigned")
    assert entry.actor_id == admin.pk
    assert entry.object_id == str(user.pk)
    assert entry.changes == {"role": "handler", "scope_kind": "department",
                             "scope_id": department.pk}


def test_assigning_the_same_role_twice_changes_nothing(user, department, admin):
    actions.assign_role(user, Role.HANDLER, ScopeKind.DEPARTMENT, department.pk, actor=admin)
    actions.assign_role(user, Role.HANDLER, ScopeKind.DEPARTMENT, department.pk, actor=admin)

    assert RoleAssignment.objects.filter(user=user).count() == 1
    assert AuditEntry.objects.filter(action="accounts.role.assigned").count() == 1


@pytest.mark.parametrize("role, kind", [
    (Role.HANDLER, ScopeKind.TOWN),
    (Role.ADMIN, ScopeKind.COMMUNITY),
    (Role.GRID_STAFF, ScopeKind.DEPARTMENT),
    (Role.OPERATOR, ScopeKind.GRID),
])
def test_role_held_in_the_wrong_kind_of_scope_is_refused(user, town, admin, role, kind):
    with pytest.raises(Refusal) as refused:
        actions.assign_role(user, role, kind, town.pk, actor=admin)

    assert (refused.value.field, refused.value.code) == ("scope_kind", "invalid")
    assert refused.value.message == "该角色不能授予此类范围"
    assert not user.role_assignments.exists()
    assert not AuditEntry.objects.filter(action="accounts.role.assigned").exists()


@pytest.mark.parametrize("kind", [ScopeKind.GRID, ScopeKind.COMMUNITY])
def test_role_in_a_scope_that_does_not_exist_is_refused(user, admin, kind):
    with pytest.raises(Refusal) as refused:
        actions.assign_role(user, Role.GRID_STAFF, kind, 987654, actor=admin)

    assert (refused.value.field, refused.value.code) == ("scope_id", "not_found")
    assert refused.value.message == "授权范围不存在"
    assert not user.role_assignments.exists()


def test_unknown_role_is_refused(user, town, admin):
    with pytest.raises(Refusal) as refused:
        actions.assign_role(user, "mayor", ScopeKind.TOWN, town.pk, actor=admin)

    assert refused.value.field == "role"
    assert not user.role_assignments.exists()


def test_revoking_a_role_removes_it_and_audits(user, town, admin):
    assignment = actions.assign_role(user, Role.LEADER, ScopeKind.TOWN, town.pk, actor=admin)
    assert roles_of(user) == {Role.LEADER}

    actions.revoke_role(assignment, actor=admin)

    assert not user.role_assignments.exists()
    assert roles_of(user) == set()
    entry = AuditEntry.objects.get(action="accounts.role.revoked")
    assert entry.actor_id == admin.pk
    assert entry.changes == {"role": "leader", "scope_kind": "town", "scope_id": town.pk}


def test_creating_a_user_audits_only_the_masked_number(admin):
    user = actions.create_user(actor=admin, phone="13955556666", name="王小明")

    entry = AuditEntry.objects.get(action="accounts.user.created")
    assert entry.object_id == str(user.pk)
    assert entry.changes == {"account": "139****6666"}
    assert "王小明" not in entry.object_label
    assert not user.has_usable_password()
