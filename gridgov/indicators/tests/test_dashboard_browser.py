"""The indicators dashboard in Debian's Chromium: the charts and the map draw, with no script
error and no request leaving the platform (no CDN). Screenshot in test-artifacts/browser/."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.cases.models import State
from gridgov.cases.tests.factories import CaseFactory, CaseWorld
from gridgov.cases.tests.test_browser import Phone
from gridgov.core.tests.browser import DESKTOP, PHONE
from gridgov.indicators import rollup

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_dashboard_draws_offline(open_screen, live_site, device, request):
    world = CaseWorld.build()
    for grid, on_time in ((world.grid_a1, True), (world.grid_b1, False)):
        CaseFactory(grid=grid, category=world.category, state=State.CLOSED,
                    registered_at=timezone.make_aware(dt.datetime(2025, 3, 3, 10)),
                    due_at=timezone.make_aware(dt.datetime(2025, 3, 10, 18)),
                    closed_at=timezone.make_aware(dt.datetime(2025, 3, 9 if on_time else 12, 10)),
                    closed_on_time=on_time, handling_hours=8)
    rollup.rebuild()

    leader = open_screen(Phone, device=device)
    outside = []
    leader.page.on("request", lambda request: None if request.url.startswith(live_site.url)
                   else outside.append(request.url))
    leader.log_in(world.leader)
    leader.go("/indicators/?start=2025-03-01&end=2025-03-31")
    page = leader.page
    page.locator("#chart-groups canvas").first.wait_for()
    page.locator("#chart-daily canvas").first.wait_for()
    page.locator("#indicator-map .leaflet-overlay-pane canvas,"
                 " #indicator-map .leaflet-overlay-pane path").first.wait_for(state="attached")
    assert "按期结案率" in page.locator("#map-legend").inner_text()
    # Chinese throughout: the map's credit, the charts' own words (ECharts' ZH locale, read
    # out through its aria description) and the days as 3月3日, never "Mar 3".
    credit = page.locator("#indicator-map .leaflet-control-attribution").inner_text()
    assert "地图引擎 Leaflet" in credit and "🇺🇦" not in credit
    described = page.locator("#chart-daily").get_attribute("aria-label") or ""
    assert "图表" in described and "Mar" not in described, described
    label = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('chart-daily'))"
                          ".getOption().xAxis[0].axisLabel.formatter('2025-03-03')")
    assert label == "3月3日"
    # The tooltip is built of text nodes: a day written in Chinese, then each series' count.
    page.locator("#chart-daily").scroll_into_view_if_needed()
    box = page.locator("#chart-daily").bounding_box()
    x, y = box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.5
    page.touchscreen.tap(x, y) if device is PHONE else page.mouse.move(x, y)
    tip = page.locator(".chart-tip").first
    tip.wait_for()
    assert "2025年3月" in tip.inner_text() and "立案数" in tip.inner_text()
    leader.shot(f"indicators-dashboard-{request.node.callspec.id}")
    assert outside == []
    leader.network.assert_clean()
