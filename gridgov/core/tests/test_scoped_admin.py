"""The admin site is limited to the administrator's scope (ScopedAdmin): tested from the side of
新泾镇's admin, who must not reach 北新泾街道 in the same installation through any page, list,
search, filter, choice, autocomplete, inline or action."""

import json
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from gridgov.accounts.models import RoleAssignment
from gridgov.accounts.roles import Role
from gridgov.open311.models import Open311Key
from gridgov.cases.tests.factories import CaseFactory, CategoryFactory
from gridgov.core import audit
from gridgov.core.admin import ScopedAdmin, ScopedInline
from gridgov.core.models import AuditEntry
from gridgov.grids.models import Grid
from gridgov.grids.tests.factories import (
    CommunityFactory,
    DepartmentFactory,
    GridFactory,
    GridStaffFactory,
    PlaceFactory,
    TownFactory,
    staff,
)

pytestmark = pytest.mark.django_db
APPS = ("accounts", "grids", "cases", "core", "open311", "indicators")


def _town(name, code):
    town = TownFactory(name=name, code=code)
    community = CommunityFactory(town=town, name=f"{name}居民区")
    grid = GridFactory(community=community, name=f"{name}网格")
    operator = staff(Role.OPERATOR, town, name="欧阳晓明" if code == "021" else "王伟")
    return SimpleNamespace(
        town=town, community=community, grid=grid, operator=operator,
        department=DepartmentFactory(town=town, name=f"{name}执法队"),
        place=PlaceFactory(grid=grid, name=f"{name}大楼"),
        post=GridStaffFactory(grid=grid, user=operator),
        case=CaseFactory(grid=grid, reporter_name="赵磊", reporter_phone="13912340000"),
        key=Open311Key.objects.create(town=town, name=f"{name}12345", prefix=code,
                                      key_hash=f"hash-{code}"),
    )


def administrator(*towns, role=Role.ADMIN):
    """Like the demo's 管理员: the admin site and gridgov's model permissions, no superuser."""
    user = staff(role, towns[0], is_staff=True)
    for town in towns[1:]:
        RoleAssignment.objects.create(user=user, role=role, scope_kind="town", scope_id=town.pk)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=APPS))
    return user


@pytest.fixture
def mine():
    return _town("新泾镇", "020")


@pytest.fixture
def theirs():
    return _town("北新泾街道", "021")


@pytest.fixture
def town_admin(client, mine, theirs):
    user = administrator(mine.town)
    client.force_login(user)
    return user


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def list_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_admin_page_and_inline_of_the_platform_is_scoped():
    ours = [model_admin for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in APPS]
    assert ours
    assert [type(a).__name__ for a in ours if not isinstance(a, ScopedAdmin)] == []
    inlines = [inline for a in ours for inline in a.inlines]
    assert [i.__name__ for i in inlines if not issubclass(i, ScopedInline)] == []


def scoped_rows(town):
    return [town.town, town.community, town.grid, town.department, town.place, town.operator,
            town.key, town.case]


def test_the_other_towns_change_pages_answer_404_not_403(client, town_admin, mine, theirs):
    for obj in scoped_rows(mine):
        assert client.get(change_url(obj)).status_code == 200, obj
    for obj in scoped_rows(theirs):
        assert client.get(change_url(obj)).status_code == 404, obj
        history = change_url(obj).replace("/change/", "/history/")
        assert client.get(history).status_code == 404, obj


def test_the_other_towns_rows_are_absent_from_lists_and_searches(client, town_admin, mine, theirs):
    for obj in scoped_rows(theirs)[1:]:
        page = client.get(list_url(type(obj))).content.decode()
        assert change_url(obj) not in page, obj
        assert change_url(scoped_rows(mine)[scoped_rows(theirs).index(obj)]) in page
    found = client.get(list_url(Grid), {"q": "北新泾"}).content.decode()
    assert theirs.grid.name not in found


def test_filters_offer_only_the_administrators_towns(client, town_admin, theirs):
    page = client.get(list_url(type(theirs.community))).content.decode()
    assert "新泾镇" in page
    assert "北新泾街道" not in page


def test_the_other_towns_grid_cannot_be_renamed(client, town_admin, theirs):
    response = client.post(change_url(theirs.grid), {"name": "改名网格"})

    assert response.status_code == 404
    theirs.grid.refresh_from_db()
    assert theirs.grid.name == "北新泾街道网格"


def test_choices_of_related_rows_hold_only_the_administrators_scope(client, town_admin, mine,
                                                                    theirs):
    page = client.get(reverse("admin:grids_grid_add")).content.decode()
    assert f'value="{mine.community.pk}"' in page
    assert f'value="{theirs.community.pk}"' not in page

    response = client.post(reverse("admin:open311_open311key_add"),
                           {"town": theirs.town.pk, "name": "外镇合作方"})

    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Open311Key.objects.filter(name="外镇合作方").exists()


def test_autocomplete_offers_only_the_administrators_staff(client, town_admin, mine, theirs):
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "grids", "model_name": "gridstaff", "field_name": "user", "term": ""})

    ids = {int(row["id"]) for row in json.loads(response.content)["results"]}
    assert mine.operator.pk in ids
    assert theirs.operator.pk not in ids


def test_an_action_on_the_list_leaves_the_other_towns_rows_alone(client, town_admin, theirs):
    client.post(list_url(type(theirs.place)), {
        "action": "delete_selected", "_selected_action": [theirs.place.pk], "post": "yes"})

    assert type(theirs.place).objects.filter(pk=theirs.place.pk).exists()


def test_the_audit_log_lists_only_the_administrators_town(client, town_admin, mine, theirs):
    audit.record("core.pii.revealed", actor=None, target=mine.grid)
    audit.record("core.pii.revealed", actor=None, target=theirs.grid)
    audit.record("accounts.login.failed", actor=None)
    entries = {e.town_id: e for e in AuditEntry.objects.filter(action__in=[
        "core.pii.revealed", "accounts.login.failed"])}

    page = client.get(list_url(AuditEntry)).content.decode()

    assert change_url(entries[mine.town.pk]) in page
    assert change_url(entries[theirs.town.pk]) not in page
    assert change_url(entries[None]) not in page
    assert client.get(change_url(entries[theirs.town.pk])).status_code == 404


def test_an_open311_key_issued_in_the_admin_is_for_the_administrators_town(client, town_admin,
                                                                           mine):
    response = client.post(reverse("admin:open311_open311key_add"),
                           {"town": mine.town.pk, "name": "本镇合作方"})

    assert response.status_code == 302
    assert Open311Key.objects.get(name="本镇合作方").town == mine.town


def test_a_district_administrator_reaches_every_town_of_the_district(client, mine, theirs):
    client.force_login(administrator(mine.town, theirs.town, role=Role.DISTRICT_ADMIN))

    for obj in scoped_rows(mine) + scoped_rows(theirs):
        assert client.get(change_url(obj)).status_code == 200, obj


def test_what_every_town_shares_is_read_by_a_town_admin_and_edited_by_a_district_admin(
        client, town_admin, mine, theirs):
    category = CategoryFactory()
    form = {f: getattr(category, f) for f in ("kind", "major_code", "major_name", "minor_code",
                                              "name", "plain_name", "keywords", "department_kind",
                                              "time_limit_class", "urgency")}
    form.update(time_limit_days=1, time_limit_hours="", is_active="on")

    assert client.get(change_url(category)).status_code == 200
    assert client.post(change_url(category), form).status_code == 403

    client.force_login(administrator(mine.town, theirs.town, role=Role.DISTRICT_ADMIN))
    assert client.post(change_url(category), form).status_code == 302
    category.refresh_from_db()
    assert category.time_limit_days == 1


def test_a_town_admin_edits_what_is_shared_where_the_town_is_the_only_one(client, mine):
    client.force_login(administrator(mine.town))
    category = CategoryFactory()

    assert client.get(change_url(category)).context["has_change_permission"] is True
    TownFactory(name="北新泾街道", code="021")
    assert client.get(change_url(category)).context["has_change_permission"] is False


def test_only_a_superuser_adds_a_town(client, town_admin):
    assert client.get(reverse("admin:grids_town_add")).status_code == 403


def test_the_outbox_lists_only_the_notices_of_the_administrators_town(client, town_admin, mine,
                                                                      theirs):
    from gridgov.core import notify
    from gridgov.core.models import Notice

    notify.notify(kind="cases.dispatched", body="本镇通知", user_ids=[mine.operator.pk],
                  about=mine.case)
    notify.notify(kind="cases.dispatched", body="外镇通知", user_ids=[theirs.operator.pk],
                  about=theirs.case)
    notify.notify(kind="accounts.code", body="无镇通知", addresses=["13912345678"])
    ours, other, nowhere = (Notice.objects.get(body=text) for text in ("本镇通知", "外镇通知", "无镇通知"))
    assert (ours.town_id, other.town_id, nowhere.town_id) == (mine.town.pk, theirs.town.pk, None)

    page = client.get(list_url(Notice)).content.decode()
    assert change_url(ours) in page
    assert change_url(other) not in page and change_url(nowhere) not in page
    assert client.get(change_url(other)).status_code == 404


def test_periodic_tasks_are_read_by_every_admin_and_rescheduled_by_an_installation_wide_one(
        client, town_admin, mine, theirs):
    from gridgov.core.models import PeriodicTask

    task = PeriodicTask.objects.create(name="core.analyze_db", started_at=timezone.now())
    action = {"action": "run_at_next_tick", "_selected_action": [task.pk]}
    assert client.get(list_url(PeriodicTask)).status_code == 200
    assert client.get(change_url(task)).status_code == 200
    client.post(list_url(PeriodicTask), action)
    task.refresh_from_db()
    assert task.started_at is not None  # a town's admin, with another town beside: refused

    client.force_login(administrator(mine.town, theirs.town, role=Role.DISTRICT_ADMIN))
    assert client.post(list_url(PeriodicTask), action).status_code == 302
    task.refresh_from_db()
    assert task.started_at is None
    assert AuditEntry.objects.filter(action="core.periodictask.rescheduled").count() == 1
