"""The case page for staff in the field: the spot on top (the grid's outline, a pin that draws),
a 导航 link handing the point to the phone's map app (geo: URI), photos before and after side by
side."""

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from gridgov.cases.models import State
from gridgov.cases.tests.factories import CaseWorld, photo
from gridgov.cases.tests.test_browser import Phone
from gridgov.core.tests.browser import DESKTOP, PHONE

pytestmark = pytest.mark.django_db


def handled_case(world):
    case = world.report(photos=[photo("before.jpg")])
    return world.walk(case, State.HANDLED)


def test_the_spot_comes_first_with_a_geo_link_and_the_grid_outline(client, world):
    case = handled_case(world)
    client.force_login(world.operator)
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()

    assert html.index('id="case-location"') < html.index('id="case-panel"')
    [link] = re.findall(r'id="case-navigate" href="([^"]+)"', html)
    lat, lon = f"{case.latitude}", f"{case.longitude}"
    assert link.startswith(f"geo:{lat},{lon}?q={lat},{lon}(")
    assert unquote(link.split("(", 1)[1].rstrip(")")) == f"{case.number} {world.category.name}"
    assert "(" not in link.split("(", 1)[1]  # the label's own brackets are encoded
    assert 'id="case-grid-outline"' in html and '"Polygon"' in html


def test_photos_before_and_after_share_one_row(client, world):
    case = handled_case(world)
    client.force_login(world.operator)
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    phases = re.search(r'<div class="photo-phases">(.*?)</section>', html, re.S).group(1)
    assert phases.count('class="photo-phase"') == 2
    assert phases.index("处置前") < phases.index("处置后")


@pytest.mark.browser
@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_case_page_draws_its_pin_and_outline(open_screen, live_site, device, request):
    world = CaseWorld.build()
    case = handled_case(world)
    operator = open_screen(Phone, device=device)
    operator.log_in(world.operator)
    operator.go(f"/cases/{case.pk}/")
    page = operator.page
    pin = page.locator("#case-location img.leaflet-marker-icon")
    pin.wait_for()
    page.wait_for_function(
        "() => { const i = document.querySelector('#case-location img.leaflet-marker-icon');"
        " return i && i.complete && i.naturalWidth > 0; }")
    assert pin.get_attribute("title") == case.number
    page.locator("#case-location .leaflet-overlay-pane path").first.wait_for(state="attached")
    assert page.locator("#case-navigate").get_attribute("href").startswith("geo:")
    before, after = page.locator(".photo-phase").all()
    page.locator(".photo-phase img").last.scroll_into_view_if_needed()
    # Side by side: the after photos start level with the before photos, to their right.
    b, a = before.bounding_box(), after.bounding_box()
    assert abs(b["y"] - a["y"]) < 2 and a["x"] > b["x"]
    operator.shot(f"case-page-field-{request.node.callspec.id}")
    operator.network.assert_clean()
