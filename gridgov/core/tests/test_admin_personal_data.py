"""The admin site shows phone and ID numbers, reporters' contacts and tracking codes masked, as
every page does; a value in clear only through pii.reveal(), audited."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from gridgov.accounts.roles import Role
from gridgov.cases.tests.factories import CaseFactory
from gridgov.core.models import AuditEntry
from gridgov.grids.tests.factories import GridFactory, TownFactory, staff

pytestmark = pytest.mark.django_db
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def town(db):
    return TownFactory()


@pytest.fixture
def town_admin(client, town):
    admin = staff(Role.ADMIN, town, is_staff=True)
    admin.user_permissions.add(*Permission.objects.filter(
        content_type__app_label__in=("accounts", "cases", "core")))
    client.force_login(admin)
    return admin


@pytest.fixture
def member(town):
    return staff(Role.OPERATOR, town, phone="13912345678", id_number=ID_NUMBER)


def user_url(user, *rest):
    return reverse("admin:accounts_user_change", args=[user.pk]).replace("change/", "/".join(rest))


def test_the_user_form_shows_phone_and_id_number_masked(client, town_admin, member):
    page = client.get(user_url(member, "change/")).content.decode()

    assert "13912345678" not in page and ID_NUMBER not in page
    assert "139****5678" in page
    assert "110105********002X" in page
    assert not AuditEntry.objects.filter(action="core.pii.revealed").exists()


def test_a_form_saved_with_the_boxes_left_empty_keeps_the_numbers(client, town_admin, member):
    response = client.post(user_url(member, "change/"), {
        "phone": "", "id_number": "", "name": member.name, "is_active": "on",
        "date_joined_0": member.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": member.date_joined.strftime("%H:%M:%S"),
        "role_assignments-INITIAL_FORMS": "0", "role_assignments-TOTAL_FORMS": "0",
    })

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.phone, member.id_number) == ("13912345678", ID_NUMBER)


def test_a_reveal_shows_the_number_and_is_audited(client, town_admin, member):
    response = client.post(user_url(member, "reveal/phone/"))

    assert response.status_code == 200
    assert "13912345678" in response.content.decode()
    entry = AuditEntry.objects.get(action="core.pii.revealed")
    assert (entry.actor_id, entry.object_id, entry.changes) == (
        town_admin.pk, str(member.pk), {"field": "phone"})


def test_a_reveal_is_refused_out_of_scope_and_for_fields_that_are_not_personal_data(
        client, town_admin, member):
    stranger = staff(Role.OPERATOR, TownFactory(name="外镇", code="099"))

    assert client.post(user_url(stranger, "reveal/phone/")).status_code == 404
    assert client.post(user_url(member, "reveal/name/")).status_code == 404
    assert client.get(user_url(member, "reveal/phone/")).status_code == 405
    assert not AuditEntry.objects.filter(action="core.pii.revealed").exists()


def test_the_case_page_shows_the_reporter_and_tracking_code_masked(client, town_admin, town):
    case = CaseFactory(grid=GridFactory(community__town=town), reporter_name="欧阳晓明",
                       reporter_phone="13812345678")

    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()

    for clear in ("13812345678", "欧阳晓明", case.tracking_code):
        assert clear not in page
    assert "138****5678" in page and "欧**明" in page
    assert case.tracking_code[:2] + "********" in page
    assert reverse("cases:case_detail", args=[case.pk]) in page
