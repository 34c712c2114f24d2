"""The grid map on a phone, in Debian's Chromium driven by Playwright: grids drawn with their
legend, search pans to a place and opens it, a grid's page reveals a phone number on request.
Screenshots go to test-artifacts/browser/."""

import re

import pytest
from playwright.sync_api import expect

from gridgov.core.models import AuditEntry
from gridgov.grids.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser]


def test_the_map_on_a_phone(open_screen, town, users):
    screen = open_screen()
    phone = screen.page
    screen.go("/accounts/login/?next=/grids/")
    form = phone.locator("form[action='/accounts/login/']")
    form.locator("input[name=phone]").fill(users.grid_staff.phone)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/grids/$"))

    # The legend lists the communities of the grids drawn: only grid A's for its grid staff.
    legend = phone.locator(".map-legend")
    legend.locator("summary").click()
    # (waited for by locators: the page's CSP refuses Playwright's string eval)
    expect(legend.locator("div").first).not_to_have_text("")
    assert legend.inner_text().split("\n")[1:] == ["绿八居民区"]
    screen.shot("grids-map", full_page=False)

    phone.locator("#map-search input[name=q]").fill("天山路1号")
    phone.locator("#map-search button").click()
    phone.locator("#map-search-results button", has_text="第一网格大楼").click()
    popup = phone.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "第一网格大楼" in popup.inner_text() and "第一网格" in popup.inner_text()
    # Zoomed in on the place: the place layer is loaded, no "zoom in" hint.
    expect(phone.locator("#map-note")).not_to_contain_text("放大")
    screen.shot("grids-search", full_page=False)

    screen.go(f"/grids/{town.a.pk}/")
    phone.locator("button.reveal").click()
    phone.locator(f"#phone-{town.posts[1].pk}", has_text=town.posts[1].user.phone).wait_for()
    screen.shot("grids-detail")
    assert AuditEntry.objects.filter(action="core.pii.revealed", actor=users.grid_staff).count() == 1
