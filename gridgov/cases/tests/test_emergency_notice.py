"""Categories that may be emergencies (闻到煤气味, 路面塌陷, 火灾隐患) say whom to call before the
resident fills in the form (issue 12, item 6); the notice is the category's own field."""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from gridgov.cases.models import Category
from gridgov.cases.tests.test_views_resident import report_data

pytestmark = pytest.mark.django_db


def gas_leak() -> Category:
    return Category.objects.get(kind="event", major_code="04", minor_code="03")


def test_the_catalogue_ships_notices_for_the_real_emergencies(world):
    call_command("load_catalogue", verbosity=0)
    assert "119" in gas_leak().emergency_notice and "962777" in gas_leak().emergency_notice
    cave_in = Category.objects.get(kind="event", major_code="04", minor_code="01")
    assert "110" in cave_in.emergency_notice
    assert Category.objects.get(kind="event", major_code="04", minor_code="06").emergency_notice
    # An ordinary category says nothing.
    assert Category.objects.get(kind="event", major_code="02", minor_code="01").emergency_notice == ""


def test_the_migration_fills_the_notice_in_for_a_town_that_already_had_the_catalogue(world):
    call_command("load_catalogue", verbosity=0)
    Category.objects.update(emergency_notice="")
    migration = importlib.import_module("gridgov.cases.migrations.0017_category_emergency_notice")
    migration.shipped_notices(apps, None)
    assert "962777" in gas_leak().emergency_notice


def test_the_report_page_carries_each_notice_and_shows_the_chosen_ones(client, world):
    call_command("load_catalogue", verbosity=0)
    page = client.get(reverse("cases:report")).content.decode()
    assert f'data-emergency="{gas_leak().emergency_notice}"' in page
    assert 'id="emergency-notice" role="alert" hidden' in page

    # After a failed submit with the gas leak chosen, the notice is there without script.
    response = client.post(reverse("cases:report"), report_data(
        world, category=gas_leak().pk, description=""))
    page = response.content.decode()
    assert 'id="emergency-notice" role="alert" hidden' not in page
    assert gas_leak().emergency_notice in page


def test_a_town_edits_the_notice_and_a_later_load_keeps_it(world):
    call_command("load_catalogue", verbosity=0)
    Category.objects.filter(pk=gas_leak().pk).update(emergency_notice="请拨打本镇燃气抢修 12345678")
    call_command("load_catalogue", verbosity=0)
    assert gas_leak().emergency_notice == "请拨打本镇燃气抢修 12345678"


def test_the_api_lists_the_notice_with_the_categories(client, world):
    call_command("load_catalogue", verbosity=0)
    body = client.get("/api/cases/categories").json()
    assert any("962777" in c["emergency_notice"] for c in body)
