import pytest
from django.urls import reverse

from gridgov.cases.models import Category, State
from gridgov.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_town_edits_a_category_and_the_change_is_audited(client, root, world):
    url = reverse("admin:cases_category_change", args=[world.category.pk])
    assert client.get(url).status_code == 200
    data = {f: getattr(world.category, f) for f in (
        "kind", "major_code", "major_name", "minor_code", "name", "plain_name", "keywords",
        "department_kind", "time_limit_class", "urgency")}
    data.update(time_limit_days=2, time_limit_hours="", is_active="on", plain_name="门口摆摊")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    category = Category.objects.get(pk=world.category.pk)
    assert (category.time_limit_days, category.plain_name) == (2, "门口摆摊")
    entry = AuditEntry.objects.get(action="cases.category.changed")
    assert entry.actor == root
    assert entry.changes["time_limit_days"] == [5, 2]
    assert entry.changes["plain_name"] == ["占道摆摊", "门口摆摊"]
    assert client.get(reverse("admin:cases_category_changelist")).status_code == 200


def test_cases_are_shown_read_only_with_the_phone_masked(client, root, world):
    case = world.walk(world.report(reporter_phone="13912345678"), State.HANDLING)
    assert client.get(reverse("admin:cases_case_changelist")).status_code == 200
    page = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert case.number in html and "139****5678" in html and "13912345678" not in html
    assert 'name="_save"' not in html
    assert client.get(reverse("admin:cases_case_add")).status_code == 403
    response = client.post(reverse("admin:cases_case_change", args=[case.pk]), {"state": "closed"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == State.HANDLING


def test_a_town_admin_sees_only_the_cases_of_the_town(client, world):
    from django.contrib.auth.models import Permission

    from gridgov.accounts.roles import Role
    from gridgov.grids.tests.factories import staff

    admin_user = staff(Role.ADMIN, world.other_town, is_staff=True)
    admin_user.user_permissions.add(Permission.objects.get(codename="view_case"))
    mine = world.report(actor=world.other_grid_staff, grid=world.other_grid)
    theirs = world.report()
    client.force_login(admin_user)
    listing = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert mine.number in listing and theirs.number not in listing
    assert client.get(reverse("admin:cases_case_change", args=[theirs.pk])).status_code == 404  # not 302: no hint it exists
