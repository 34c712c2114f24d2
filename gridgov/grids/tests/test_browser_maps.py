"""The maps in Debian's Chromium: names from data never run as script, the Content-Security-
Policy is never violated, no request leaves 127.0.0.1 and no asset answers 404; the base map
draws street names, and the report form finds an address and fills one from a tapped point.
Screenshots go to test-artifacts/browser/maps-*.png."""

import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from gridgov.grids.io.address_import import import_addresses
from gridgov.grids.io.basemap_import import import_basemap
from gridgov.core.tests.browser import DESKTOP
from gridgov.grids.tests.factories import (
    PASSWORD,
    CommunityFactory,
    GridFactory,
    TownFactory,
    centre,
    staff,
    tile,
)

pytestmark = [pytest.mark.browser]

CRAFTED_COMMUNITY = "天山西居民区<img src=x onerror=alert(1)>"
CRAFTED_GRID = "第一网格<img src=x onerror=window.injected=1>"
CRAFTED_ROAD = "<img src=x onerror=alert(2)>路"
# Set before any page script: what the page would report if a policy or a name went wrong.
WATCH = """
window.violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""
INJECTED = "document.querySelectorAll('img[src=\"x\"], .leaflet-container img:not([src*=\"/static/\"])').length"


@pytest.fixture
def town(live_site):
    town = TownFactory()
    community = CommunityFactory(town=town, name=CRAFTED_COMMUNITY)
    grid = GridFactory(community=community, number=1, name=CRAFTED_GRID, boundary=tile(0))
    lon, lat = centre(grid.boundary)
    roads = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": name}, "geometry": {
            "type": "LineString", "coordinates": [[lon - 0.004, y], [lon + 0.004, y]]}}
        for name, y in (("新渔东路", lat), (CRAFTED_ROAD, lat + 0.002))]}
    import_basemap(json.dumps(roads).encode(), town=town, kind="road", actor=None)
    table = f"路名,门牌号,经度,纬度\n新渔东路,88号,{lon + 0.001:.6f},{lat + 0.0001:.6f}\n"
    import_addresses(table.encode(), town=town, actor=None)
    return town, grid, (lon, lat)


@pytest.fixture
def desktop(open_screen):
    """A desktop window (tooltips open on hover there; on a phone a tap opens them) that
    records what a page must never do."""
    screen = open_screen(device=DESKTOP)
    screen.context.add_init_script(WATCH)
    seen = {"outside": [], "missing": [], "dialogs": []}

    def route(request_route):
        if urlsplit(request_route.request.url).hostname in ("127.0.0.1", "localhost"):
            request_route.continue_()
        else:
            seen["outside"].append(request_route.request.url)
            request_route.abort()

    screen.context.route("**/*", route)
    page = screen.page
    page.on("response", lambda r: r.status == 404 and seen["missing"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    screen.seen = seen
    return screen


def assert_nothing_ran(screen):
    page = screen.page
    assert page.evaluate(INJECTED) == 0
    assert page.evaluate("window.injected") is None
    assert page.evaluate("window.violations") == []
    assert screen.seen == {"outside": [], "missing": [], "dialogs": []}
    assert screen.errors == []


def hover_the_grid(page, selector):
    page.locator(f"{selector} .leaflet-overlay-pane :is(path, canvas)").first.wait_for(
        state="attached")
    page.locator(selector).scroll_into_view_if_needed()
    box = page.locator(selector).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 30)
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 40, steps=3)
    tooltip = page.locator(".leaflet-tooltip:not(.basemap-label)").first
    tooltip.wait_for()
    return tooltip


def test_the_report_map_shows_names_as_text_and_fills_the_address(town, desktop):
    page = desktop.page
    desktop.go("/cases/report/")
    # The base map: the street's name from the town's own data, the crafted one as text.
    # (a redraw fades the old labels out: wait until only the new ones are left)
    expect(page.locator(".basemap-label", has_text="新渔东路")).to_have_count(1)
    expect(page.locator(".basemap-label", has_text=CRAFTED_ROAD)).to_have_count(1)
    tooltip = hover_the_grid(page, "#report-map")
    assert tooltip.inner_text() == f"{CRAFTED_GRID} · {CRAFTED_COMMUNITY}"

    # A tap on the map: the point and the nearest standard address.
    box = page.locator("#report-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    address = page.locator("input[name=address]")
    expect(address).to_have_value(re.compile(r"^新渔东路88号"))

    # Typing an address offers the register's match; a tap puts the point there.
    address.fill("新渔东路 88")
    page.locator("#address-suggestions button", has_text="新渔东路88号").click()
    lon, lat = town[2]
    # The point is set once the platform has said it lies in the town (an asynchronous check).
    page.wait_for_function(
        "want => Math.abs(parseFloat(document.querySelector('input[name=longitude]').value) - want)"
        " < 1e-4", arg=lon + 0.001)
    assert float(page.locator("input[name=longitude]").input_value()) == pytest.approx(lon + 0.001)
    assert float(page.locator("input[name=latitude]").input_value()) == pytest.approx(lat + 0.0001)
    desktop.shot("maps-report")
    assert_nothing_ran(desktop)


def test_the_grid_map_shows_crafted_names_as_text(town, desktop):
    page = desktop.page
    _, grid, _ = town
    operator = staff("operator", grid.town)
    desktop.go("/accounts/login/?next=/grids/")
    form = page.locator("form[action='/accounts/login/']")
    form.locator("input[name=phone]").fill(operator.phone)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/grids/$"))
    expect(page.locator(".basemap-label", has_text="新渔东路")).to_have_count(1)
    expect(page.locator(".map-legend")).to_contain_text(CRAFTED_COMMUNITY)  # grids drawn
    assert hover_the_grid(page, "#map").inner_text() == CRAFTED_GRID
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 40)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert CRAFTED_GRID in popup.inner_text() and CRAFTED_COMMUNITY in popup.inner_text()
    desktop.shot("maps-grids")
    assert_nothing_ran(desktop)
