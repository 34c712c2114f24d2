"""One case from a resident's phone to the rating, in Debian's Chromium driven by Playwright.

A resident reports with the phone's position and a photo → the operations centre registers and
dispatches → the department accepts and handles with an after-photo → grid staff verify → the
operations centre closes → the resident rates by tracking code. Every page is kept as a
screenshot in test-artifacts/browser/.
"""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from gridgov.cases.models import Case, Satisfaction, State
from gridgov.cases.tests.factories import CaseFactory, CaseWorld
from gridgov.core.tests.browser import TIMEOUT_MS, Screen
from gridgov.grids.tests.factories import PASSWORD, GridFactory, centre

pytestmark = [pytest.mark.browser]


class Phone(Screen):
    """A member of staff or a resident on a phone, with the case pages' own moves."""

    def log_in(self, user):
        self.go("/accounts/login/?next=/cases/workbench/")
        form = self.page.locator("form[action='/accounts/login/']")
        form.locator("input[name=phone]").fill(user.phone)
        form.locator("input[name=password]").fill(PASSWORD)
        form.locator("button[type=submit]").click()
        self.page.wait_for_url(re.compile(r"/cases/workbench/"))

    def open_case(self, queue, case):
        self.go(f"/cases/workbench/?queue={queue}")
        self.shot(f"workbench-{queue}")
        self.page.locator(f"a[href='/cases/{case.pk}/']").first.click()
        self.page.wait_for_url(re.compile(rf"/cases/{case.pk}/$"))

    def act(self, action, label, fill=None):
        """Open the action's form on the case page, fill it, confirm, wait for the new panel."""
        section = self.page.locator(f"details[data-action='{action}']")
        section.locator("summary").click()
        if fill:
            fill(section)
        self.shot(f"case-{action}-form")
        with self.page.expect_response(re.compile(rf"/act/{action}/")) as answer:
            section.locator("button[type=submit]").click()
        assert answer.value.status == 200, f"{action}: HTTP {answer.value.status}"
        self.page.get_by_role("status").filter(has_text=f"已完成：{label}").wait_for()
        self.shot(f"case-after-{action}")


def jpeg(path: Path) -> Path:
    image = Image.new("RGB", (320, 240), (90, 140, 60))
    for x in range(100, 220):
        for y in range(80, 160):
            image.putpixel((x, y), (60, 60, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_one_case_from_report_to_rating(open_screen, tmp_path):
    # Grids tile the plane in factory order: start from the first tiles so that the world's grids
    # lie side by side, and the map shows the same picture whichever tests ran before.
    GridFactory.reset_sequence()
    world = CaseWorld.build()
    call_command("load_catalogue", verbosity=0)
    world.category.refresh_from_db()
    lon, lat = centre(world.grid_a1.boundary)

    # A resident, not signed in, on a phone that knows where it is.
    resident = open_screen(Phone, geolocation={"longitude": lon, "latitude": lat},
                           permissions=["geolocation"])
    resident.go("/")
    resident.shot("home")
    resident.go("/cases/report/")
    page = resident.page
    page.locator("#category-search").fill("占道")
    choice = page.locator(f"input[name=category][value='{world.category.pk}']")
    choice.check()
    page.locator("textarea[name=description]").fill("示例：路口有人占道摆摊卖水果，行人只能走机动车道")
    page.get_by_role("button", name="使用我的位置").click()
    page.locator("#location-status").filter(has_text="已使用您的位置").wait_for()
    page.locator("input[name=address]").fill("示例路1号路口")
    page.locator("input[name=photos]").set_input_files(jpeg(tmp_path / "before.jpg"))
    page.locator("input[name=reporter_phone]").fill("13912345678")
    resident.shot("report-filled")
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r"/cases/track/\w{10}/\?new=1"))
    code = page.locator("#tracking-code").inner_text().strip()
    resident.shot("report-receipt")
    case = Case.objects.get(tracking_code=code)
    assert case.state == State.REPORTED and case.grid == world.grid_a1
    assert case.photos.filter(phase="before").count() == 1
    assert page.locator("#case-number").inner_text() == case.number

    # The operations centre registers and dispatches.
    operator = open_screen(Phone)
    operator.log_in(world.operator)
    operator.open_case("intake", case)
    operator.shot("case-reported")
    assert "139****5678" in operator.page.content()
    operator.act("register", "立案",
                 lambda form: form.locator("textarea").fill("情况属实，予以立案"))
    operator.act("dispatch", "派遣", lambda form: form.locator("select").select_option(
        str(world.enforcement.pk)))
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.department == world.enforcement

    # The department accepts and handles, with a photo of the result.
    handler = open_screen(Phone)
    handler.log_in(world.handler)
    handler.open_case("incoming", case)
    handler.act("accept", "接单")
    handler.act("handle", "处置完毕", lambda form: (
        form.locator("input[type=file]").set_input_files(jpeg(tmp_path / "after.jpg")),
        form.locator("textarea[name=handle-note]").fill("已劝离摊贩，摊主态度较差"),
        form.locator("textarea[name=handle-reply]").fill("已劝离摊贩，恢复通行"),
    ))
    assert case.photos.filter(phase="after").count() == 1

    # Grid staff check on site.
    grid_staff = open_screen(Phone)
    grid_staff.log_in(world.grid_staff)
    grid_staff.open_case("verify", case)
    grid_staff.act("verify", "核查通过")

    # The operations centre closes.
    operator.go(f"/cases/{case.pk}/")
    operator.act("close", "结案")
    case.refresh_from_db()
    assert case.state == State.CLOSED

    # The resident rates by tracking code.
    resident.go("/cases/track/")
    page.locator("input[name=code]").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(rf"/cases/track/{code}/$"))
    assert page.locator("#case-state").inner_text() == "已结案"
    resident.shot("track-closed")
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    page.get_by_text("感谢您的评价").wait_for()
    resident.shot("track-rated")
    case.refresh_from_db()
    assert case.state == State.EVALUATED and case.satisfaction == Satisfaction.SATISFIED
    assert [e.action for e in case.events.all()] == [
        "report", "register", "dispatch", "accept", "handle", "verify", "close", "evaluate"]

    # The map of open cases on a phone: other cases still open, one of them overdue.
    now = timezone.now()
    for grid, due in ((world.grid_a1, now - dt.timedelta(hours=2)),
                      (world.grid_a2, now + dt.timedelta(days=2)),
                      (world.grid_b1, now + dt.timedelta(days=3))):
        CaseFactory(grid=grid, category=world.category, state=State.DISPATCHED, due_at=due,
                    warn_at=due - dt.timedelta(hours=8))
    operator.go("/cases/map/")
    operator.page.locator("#case-map[data-loaded]").wait_for(state="attached")
    # The map may move once more as it settles on the phone's screen; wait for its last answer.
    from playwright.sync_api import expect

    expect(operator.page.locator("#map-status")).to_have_text("范围内事件 3 件",
                                                              timeout=TIMEOUT_MS)
    # 3 grids, 3 cases (waited for by locators: the page's CSP refuses Playwright's eval)
    operator.page.locator("#case-map .leaflet-interactive").nth(5).wait_for(state="attached")
    operator.shot("case-map")
