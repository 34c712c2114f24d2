"""The alliance on Django's admin site: every page scoped to the administrator's towns, personal
data masked in lists and never put into a form."""

import pytest
from django.contrib import admin
from django.urls import reverse

from gridgov.accounts.roles import Role
from gridgov.core.admin import ScopedAdmin
from gridgov.grids.tests.factories import staff
from gridgov.volunteers.tests.factories import World

pytestmark = pytest.mark.django_db


def town_admin(town):
    user = staff(Role.ADMIN, town, is_staff=True, is_superuser=False)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="volunteers"))
    return user


def test_every_volunteers_admin_is_scoped():
    ours = [a for model, a in admin.site._registry.items() if model._meta.app_label == "volunteers"]
    assert len(ours) >= 8
    assert [type(a).__name__ for a in ours if not isinstance(a, ScopedAdmin)] == []


def test_another_towns_administrator_finds_nothing_and_names_stay_masked(client):
    mine, theirs = World.build(), World.build()
    volunteer = mine.volunteer()
    activity = mine.activity()
    client.force_login(town_admin(theirs.town))
    for model, pk in (("volunteer", volunteer.pk), ("activity", activity.pk),
                      ("organisation", mine.org.pk)):
        url = reverse(f"admin:volunteers_{model}_change", args=[pk])
        assert client.get(url).status_code == 404, model
    assert volunteer.name not in client.get(
        reverse("admin:volunteers_volunteer_changelist")).content.decode()
    client.force_login(town_admin(mine.town))
    listing = client.get(reverse("admin:volunteers_volunteer_changelist")).content.decode()
    assert volunteer.name not in listing and volunteer.phone not in listing
    page = client.get(reverse("admin:volunteers_volunteer_change", args=[volunteer.pk]))
    assert page.status_code == 200 and volunteer.phone not in page.content.decode()
