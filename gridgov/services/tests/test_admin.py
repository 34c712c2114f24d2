"""The admin site shows a town's administrator their own town's catalogue, applications, register
and visits, and answers 404 for another town's rows; personal data is left out."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from gridgov.accounts.roles import Role
from gridgov.grids.tests.factories import staff
from gridgov.services.models import ServiceItem
from gridgov.services.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_admin(client, world):
    user = staff(Role.ADMIN, world.town, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="services"))
    client.force_login(user)
    return user


def test_lists_and_pages_are_the_administrator_s_town_only(client, world, town_admin):
    mine = ServiceItem.objects.get(town=world.town, code="JC001")
    theirs = ServiceItem.objects.get(town=world.other_town, code="JC001")
    listing = client.get(reverse("admin:services_serviceitem_changelist"))
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 76
    assert client.get(reverse("admin:services_serviceitem_change",
                              args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:services_serviceitem_change",
                              args=[theirs.pk])).status_code in (302, 404)
    OrganisationFactory(town=world.town, name="本镇企业")
    other = OrganisationFactory(town=world.other_town, name="外镇企业")
    names = [o.name for o in client.get(reverse(
        "admin:services_organisation_changelist")).context["cl"].result_list]
    assert names == ["本镇企业"]
    assert client.get(reverse("admin:services_organisation_change",
                              args=[other.pk])).status_code in (302, 404)


def test_an_application_page_leaves_out_the_applicant_s_phone(client, world, town_admin):
    application = world.apply()
    page = client.get(reverse("admin:services_application_change", args=[application.pk]))
    assert page.status_code == 200
    assert "13912345678" not in page.content.decode()
    theirs = world.apply(item=ServiceItem.objects.get(town=world.other_town, name="骑手驿站休息"))
    assert client.get(reverse("admin:services_application_change",
                              args=[theirs.pk])).status_code in (302, 404)
