"""Accessibility and assets, in Debian's Chromium on a phone and a desktop window:

- axe-core finds no serious or critical violation on the resident's report page and tracking
  page, the workbench, the case page and the dashboard;
- the leader's and the operator's home pages and the dashboard are walked with screenshots, and
  no asset answers 404 and no request leaves 127.0.0.1 on any page of the walk.
"""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.cases.models import State
from gridgov.cases.tests.factories import CaseWorld, photo
from gridgov.cases.tests.test_browser import Phone
from gridgov.core.tests.accessibility import serious_violations
from gridgov.core.tests.browser import DESKTOP, PHONE
from gridgov.indicators import rollup

pytestmark = [pytest.mark.browser]
DEVICES = pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])


def town_at_work():
    """A town with a case handled (photos before and after) and one still waiting, counted."""
    world = CaseWorld.build()
    case = world.walk(world.report(photos=[photo("before.jpg")]), State.HANDLED)
    world.report(description="示例：人行道上堆放建筑垃圾")
    rollup.rebuild()
    return world, case


@DEVICES
def test_no_serious_accessibility_violation(open_screen, live_site, device, request):
    world, case = town_at_work()
    found = {}
    resident = open_screen(Phone, device=device)
    for name, path in (("report", "/cases/report/"),
                       ("track", f"/cases/track/{case.tracking_code}/")):
        resident.go(path)
        found[name] = serious_violations(resident.page)
    resident.network.assert_clean()

    operator = open_screen(Phone, device=device)
    operator.log_in(world.operator)
    found["workbench"] = serious_violations(operator.page)
    operator.go(f"/cases/{case.pk}/")
    operator.page.locator("#case-location img.leaflet-marker-icon").wait_for()
    found["case"] = serious_violations(operator.page)
    operator.network.assert_clean()

    leader = open_screen(Phone, device=device)
    leader.log_in(world.leader)
    leader.go("/indicators/")
    leader.page.locator("#chart-daily canvas").first.wait_for()
    found["dashboard"] = serious_violations(leader.page)
    leader.network.assert_clean()
    assert not any(found.values()), found


@DEVICES
def test_the_leaders_and_operators_first_pages(open_screen, live_site, device, request):
    """What the leader and the operator open first: the home page with its figures and to-dos,
    then the dashboard (the last 30 days by default), each as a screenshot."""
    world, _case = town_at_work()
    kind = request.node.callspec.id
    for name in ("leader", "operator"):
        screen = open_screen(Phone, device=device)
        screen.log_in(getattr(world, name))
        screen.go("/")
        page = screen.page
        if name == "leader":
            page.get_by_role("heading", name="本月主要指标", exact=False).wait_for()
        else:
            page.locator(".tile.todo").first.wait_for()
        assert serious_violations(page) == [], f"{name} home"
        screen.shot(f"home-{name}-{kind}")
        page.locator("main a.tile[href='/indicators/']").click()
        page.wait_for_url("**/indicators/")
        page.locator("#chart-groups canvas").first.wait_for()
        page.locator("#indicator-map .leaflet-overlay-pane canvas,"
                     " #indicator-map .leaflet-overlay-pane path").first.wait_for(state="attached")
        assert "（最近30天）" in page.locator(".period-line").inner_text()
        # Grid names stay on one line in the table, however narrow the window.
        heights = page.locator(".indicator-table tbody th").evaluate_all(
            "cells => cells.map(c => c.getBoundingClientRect().height)")
        assert heights and max(heights) < 40, heights
        screen.shot(f"dashboard-{name}-{kind}")
        screen.network.assert_clean()
