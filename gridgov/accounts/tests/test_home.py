"""An administrator's to-dos on the home page: counted facts that ask for their hand, each
leading to the admin-site page where it is done."""

import pytest
from django.urls import reverse

from gridgov.accounts.models import TwoFactor
from gridgov.accounts.roles import Role
from gridgov.core.models import PeriodicTask
from gridgov.grids.tests.factories import CommunityFactory, GridFactory, TownFactory, staff

pytestmark = pytest.mark.django_db
HOME = reverse("core:home")


def town_admin(town):
    """A town's administrator who may use the admin site, as the demo's admin does."""
    from django.contrib.auth.models import Permission

    admin = staff(Role.ADMIN, town, is_staff=True)
    admin.user_permissions.add(*Permission.objects.filter(
        content_type__app_label__in=["accounts", "core"]))
    return admin


@pytest.fixture
def town():
    town = TownFactory()
    GridFactory(community=CommunityFactory(town=town))
    return town


def todos(client, user) -> dict:
    client.force_login(user)
    return {todo.label: todo for todo in client.get(HOME).context["todos"]}


def test_accounts_that_must_enrol_an_authenticator_are_counted_and_listed(client, town):
    admin = town_admin(town)
    TwoFactor.objects.create(user=admin, secret="JBSWY3DPEHPK3PXP")
    operator = staff(Role.OPERATOR, town)
    staff(Role.GRID_STAFF, town.communities.get().grids.get())  # signs in with one factor
    staff(Role.OPERATOR, TownFactory())  # another town's: not this administrator's
    todo = todos(client, admin)["应绑定而未绑定身份验证器的账号"]
    assert todo.count == 1

    listed = client.get(todo.url)
    assert listed.status_code == 200
    assert [user.pk for user in listed.context["cl"].result_list] == [operator.pk]


def test_failed_periodic_tasks_are_counted(client, town):
    PeriodicTask.objects.create(name="cases.deadlines", succeeded=False)
    PeriodicTask.objects.create(name="indicators.rollup_refresh", succeeded=True)
    admin = town_admin(town)
    todo = todos(client, admin)["上次运行失败的定时任务"]
    assert todo.count == 1
    listed = client.get(todo.url)
    assert [task.name for task in listed.context["cl"].result_list] == ["cases.deadlines"]


def test_a_missing_holiday_year_is_a_to_do(client, town, monkeypatch):
    from gridgov.core import workdays

    monkeypatch.setattr(workdays, "unknown_year_ahead", lambda: 2031)
    todo = todos(client, town_admin(town))["2031年节假日和调休待录入"]
    assert todo.url == reverse("admin:core_calendarday_changelist")


def test_without_the_admin_site_the_counts_are_shown_without_links(client, town):
    shown = todos(client, staff(Role.ADMIN, town))
    assert shown["应绑定而未绑定身份验证器的账号"].url == ""


def test_other_roles_get_no_administrators_to_dos(client, town):
    shown = todos(client, staff(Role.OPERATOR, town))
    assert "应绑定而未绑定身份验证器的账号" not in shown
