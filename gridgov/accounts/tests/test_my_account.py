import pytest
from django.urls import reverse

from gridgov.accounts.models import RoleAssignment
from gridgov.accounts.roles import Role
from gridgov.core.scope import ScopeKind
from gridgov.grids.tests.factories import CommunityFactory, DepartmentFactory

pytestmark = pytest.mark.django_db
MY_ACCOUNT = reverse("accounts:my_account")


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(MY_ACCOUNT)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_page_lists_roles_with_scope_names_and_masks_the_number(client, user, town, department):
    RoleAssignment.objects.create(user=user, role=Role.LEADER, scope_kind=ScopeKind.TOWN,
                                  scope_id=town.pk)
    RoleAssignment.objects.create(user=user, role=Role.HANDLER, scope_kind=ScopeKind.DEPARTMENT,
                                  scope_id=department.pk)
    client.force_login(user)

    page = client.get(MY_ACCOUNT).content.decode()

    assert "镇领导" in page and "新泾镇" in page
    assert "处置部门人员" in page and "新泾综合行政执法队" in page
    assert "139****5678" in page
    assert "13912345678" not in page


def test_resident_without_roles_is_told_what_they_can_do(client, user):
    client.force_login(user)

    page = client.get(MY_ACCOUNT).content.decode()

    assert "您没有工作人员角色" in page


def test_sample_scope_is_badged(client, user, town):
    community = CommunityFactory(town=town, name="示例·淞虹居民区", is_sample=True)
    RoleAssignment.objects.create(user=user, role=Role.OPERATOR, scope_kind=ScopeKind.COMMUNITY,
                                  scope_id=community.pk)
    client.force_login(user)

    page = client.get(MY_ACCOUNT).content.decode()

    assert "示例·淞虹居民区" in page
    assert '<span class="badge sample">示例</span>' in page


def test_queries_do_not_grow_with_the_number_of_assignments(
    client, user, town, django_assert_max_num_queries
):
    def handler_in_new_departments(count):
        for _ in range(count):
            department = DepartmentFactory(town=town)
            RoleAssignment.objects.create(user=user, role=Role.HANDLER,
                                          scope_kind=ScopeKind.DEPARTMENT, scope_id=department.pk)

    client.force_login(user)
    handler_in_new_departments(2)
    with django_assert_max_num_queries(12) as few:
        client.get(MY_ACCOUNT)
    handler_in_new_departments(28)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(MY_ACCOUNT).content.decode()
    assert page.count("处置部门人员") == 30
