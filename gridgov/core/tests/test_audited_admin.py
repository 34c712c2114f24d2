"""Edits made in Django's admin reach the platform audit log (AuditedAdmin), minus personal data."""

import json

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from gridgov.accounts.models import RoleAssignment
from gridgov.cases.tests.factories import CategoryFactory
from gridgov.core.admin import AuditedAdmin
from gridgov.core.models import AuditEntry
from gridgov.grids.models import Grid, GridStaff, Place
from gridgov.grids.tests.factories import GridFactory, PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db


def grid_form(grid, **fields):
    return {
        "town": grid.town_id, "community": grid.community_id, "number": grid.number,
        "name": grid.name, "unit_code": grid.unit_code, "boundary": json.dumps(grid.boundary),
        "signature_service": grid.signature_service,
        "staff-TOTAL_FORMS": "0", "staff-INITIAL_FORMS": "0", "staff-MIN_NUM_FORMS": "0",
        "staff-MAX_NUM_FORMS": "1000",
        **fields,
    }


def test_every_model_admin_of_the_platform_is_audited():
    ours = [model_admin for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in {"accounts", "cases", "core", "grids"}]
    assert len(ours) >= 10
    unaudited = [type(model_admin).__name__ for model_admin in ours
                 if not isinstance(model_admin, AuditedAdmin)]
    assert unaudited == []


def test_a_grid_edited_in_the_admin_is_audited_with_its_changed_fields(client, root):
    grid = GridFactory(signature_service="")
    member = UserFactory()
    response = client.post(reverse("admin:grids_grid_change", args=[grid.pk]), grid_form(
        grid, name="新渔东路网格", signature_service="一格一最·睦邻", **{
            "staff-TOTAL_FORMS": "1", "staff-0-grid": grid.pk, "staff-0-user": member.pk,
            "staff-0-position": "member", "staff-0-line": "safety"}))

    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEntry.objects.get(action="grids.grid.changed")
    assert entry.actor == root and entry.object_id == str(grid.pk)
    old_name = grid.name
    assert entry.changes == {"name": [old_name, "新渔东路网格"],
                             "signature_service": ["", "一格一最·睦邻"]}
    post = GridStaff.objects.get(grid=grid)
    staffed = AuditEntry.objects.get(action="grids.gridstaff.created")
    assert staffed.object_id == str(post.pk) and staffed.actor == root
    assert staffed.changes["user"] == [None, member.pk]
    assert staffed.changes["position"] == [None, "member"]


def test_saving_a_grid_unchanged_writes_nothing(client, root):
    grid = GridFactory()
    response = client.post(reverse("admin:grids_grid_change", args=[grid.pk]), grid_form(grid))
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action__startswith="grids.").exists()


def test_a_category_added_in_the_admin_is_audited(client, root):
    response = client.post(reverse("admin:cases_category_add"), {
        "kind": "event", "major_code": "09", "major_name": "市容环境", "minor_code": "77",
        "name": "共享单车乱停", "plain_name": "单车乱停", "keywords": "单车", "department_kind":
        "enforcement", "time_limit_class": "ordinary", "time_limit_days": "3",
        "time_limit_hours": "", "urgency": "normal", "is_active": "on"})

    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEntry.objects.get(action="cases.category.created")
    assert entry.actor == root
    assert entry.changes["name"] == [None, "共享单车乱停"]
    assert entry.changes["time_limit_days"] == [None, 3]
    assert "time_limit_hours" not in entry.changes  # left empty


def test_a_category_edited_in_the_list_is_audited_once(client, root):
    category = CategoryFactory(time_limit_days=5)
    response = client.post(reverse("admin:cases_category_changelist"), {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000", "form-0-id": category.pk, "form-0-time_limit_days": "2",
        "form-0-time_limit_hours": "", "form-0-is_active": "on", "_save": "保存"})

    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEntry.objects.get(action__startswith="cases.category.")
    assert entry.action == "cases.category.changed" and entry.actor == root
    assert entry.changes == {"time_limit_days": [5, 2]}


def test_deletes_in_the_admin_are_audited_one_entry_per_object(client, root):
    one, two, three = PlaceFactory(), PlaceFactory(), PlaceFactory()
    response = client.post(reverse("admin:grids_place_delete", args=[one.pk]), {"post": "yes"})
    assert response.status_code == 302
    response = client.post(reverse("admin:grids_place_changelist"), {
        "action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"})
    assert response.status_code == 302

    assert not Place.objects.exists()
    deleted = AuditEntry.objects.filter(action="grids.place.deleted")
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(
        str(place.pk) for place in (one, two, three))
    assert {entry.actor for entry in deleted} == {root}
    assert {entry.object_label for entry in deleted} == {one.name, two.name, three.name}


def test_a_user_edited_in_the_admin_is_audited_without_the_personal_data(client, root):
    joined = timezone.localtime().replace(microsecond=0)
    person = UserFactory(phone="13912345678", name="欧阳晓明", date_joined=joined)
    grid = GridFactory()
    response = client.post(reverse("admin:accounts_user_change", args=[person.pk]), {
        "phone": "13987654321", "name": "欧阳小明", "id_number": "11010519491231002X",
        "is_active": "on", "is_staff": "on", "is_superuser": "",
        "date_joined_0": joined.strftime("%Y-%m-%d"), "date_joined_1": joined.strftime("%H:%M:%S"),
        # The page sends a field with a callable default back with its initial value.
        "initial-date_joined_0": joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": joined.strftime("%H:%M:%S"),
        "role_assignments-TOTAL_FORMS": "1", "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-role": "grid_staff", "role_assignments-0-scope_kind": "grid",
        "role_assignments-0-scope_id": grid.pk, "role_assignments-0-user": person.pk})

    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEntry.objects.get(action="accounts.user.changed")
    assert entry.actor == root
    assert entry.changes == {"phone": "***", "name": "***", "id_number": "***",
                             "is_staff": [False, True]}
    logged = json.dumps(entry.changes, ensure_ascii=False) + entry.object_label
    for secret in ("13912345678", "13987654321", "欧阳晓明", "欧阳小明", "11010519491231002X"):
        assert secret not in logged
    # The role went through the accounts action, which audits it; the mixin adds nothing.
    assert RoleAssignment.objects.filter(user=person).count() == 1
    assert AuditEntry.objects.filter(action="accounts.role.assigned").count() == 1
    assert not AuditEntry.objects.filter(action__startswith="accounts.roleassignment").exists()


def test_a_grid_edit_is_audited_in_the_same_transaction_as_the_write(client, root):
    grid = GridFactory()
    taken = GridFactory().unit_code
    response = client.post(reverse("admin:grids_grid_change", args=[grid.pk]),
                           grid_form(grid, unit_code=taken))
    assert response.status_code == 200  # refused by the form: nothing saved, nothing logged
    assert Grid.objects.get(pk=grid.pk).unit_code != taken
    assert not AuditEntry.objects.filter(action__startswith="grids.").exists()
