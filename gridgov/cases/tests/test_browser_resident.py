"""The resident's points of issue 12 (and issue 9 #10) walked in Debian's Chromium, each on a
phone window and again on a desktop window:
a failed submit that loses nothing, the emergency notice, signing up with a code, the progress
page with the department's reply and never an internal note, a grid staff member's patrol
report, tap targets. Every page is kept as a screenshot in test-artifacts/browser/; every window
checks that no asset answered 404 and no request left 127.0.0.1."""

import io
import re

import pytest
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import expect

from gridgov.cases.actions import act, rate
from gridgov.cases.models import Case, Category, Source, State
from gridgov.cases.tests.factories import CaseWorld, photo
from gridgov.cases.tests.test_browser import Phone, jpeg
from gridgov.core.tests.browser import DESKTOP, PHONE
from gridgov.grids.tests.factories import GridFactory, centre

pytestmark = [pytest.mark.browser]

URGING_NOTE = "内部备注：该居民多次投诉，注意方式"
REPLY = "已清理占道摊位，恢复通行，欢迎监督"
OUTSIDE = {"longitude": 120.1, "latitude": 30.2}  # 杭州: in China, in no grid of the platform


@pytest.fixture
def world(live_site):
    GridFactory.reset_sequence()
    built = CaseWorld.build()
    call_command("load_catalogue", verbosity=0)
    return built


def big_photo(path, size=(4000, 3000)):
    """A phone camera's photo: 12 megapixels of fine detail, about 13 MB — more than MAX_SIDE on
    its long side and more than the server's 10 MB limit."""
    image = Image.merge("RGB", [Image.effect_noise(size, 60) for _ in range(3)])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def window(request):
    return request.param


def open_window(open_screen, world, window, point=None, **options):
    lon, lat = point or centre(world.grid_a1.boundary)
    return open_screen(Phone, device=window, geolocation={"longitude": lon, "latitude": lat},
                       permissions=["geolocation"], **options)


def choose_category(page, words, category):
    page.locator("#category-search").fill(words)
    page.locator(f"input[name=category][value='{category.pk}']").check()


def assert_tap_targets(page, selector):
    """Every visible element of `selector` is at least 44×44 CSS px."""
    elements = page.locator(selector)
    for n in range(elements.count()):
        element = elements.nth(n)
        if not element.is_visible():
            continue
        box = element.bounding_box()
        assert box["height"] >= 43.5 and box["width"] >= 43.5, (
            f"{selector} #{n} ({element.inner_text()[:20]!r}) is {box['width']:.0f}×{box['height']:.0f}")


def test_a_failed_submit_loses_nothing(open_screen, world, window, tmp_path):
    resident = open_window(open_screen, world, window)
    page = resident.page
    resident.go("/cases/report/")
    resident.shot("resident-report-empty")
    assert_tap_targets(page, "button, .choice, select, input[type=text], input[type=tel], textarea")

    # Two photos, one of them phone-sized: both shrunk on the phone, shown as thumbnails.
    big = big_photo(tmp_path / "big.jpg")
    assert big.stat().st_size > 10 * 1024 * 1024
    page.locator("input[name=photos]").set_input_files([big, jpeg(tmp_path / "small.jpg")])
    expect(page.locator("#new-photos li")).to_have_count(2)
    expect(page.locator("#new-photos-count")).to_have_text("共2张照片")
    # One removed again with its button.
    page.locator("input[name=photos]").set_input_files(jpeg(tmp_path / "third.jpg"))
    expect(page.locator("#new-photos li")).to_have_count(3)
    page.locator("#new-photos li").nth(2).get_by_role("button", name="移除").click()
    expect(page.locator("#new-photos li")).to_have_count(2)
    page.locator("textarea[name=description]").fill("示例：路口有人占道摆摊卖水果，行人只能走机动车道")
    page.get_by_role("button", name="使用我的位置").click()
    page.locator("#location-status").filter(has_text="已使用您的位置").wait_for()
    resident.shot("resident-report-photos-no-type")

    # Sent without a type: the form comes back with the photos kept and the focus on the type.
    with page.expect_request(re.compile(r"/cases/report/$")) as sent:
        page.get_by_role("button", name="提交", exact=True).click()
    # What left the phone was the shrunk photo: far less than the original, and the server (which
    # refuses more than 10 MB) kept both.
    assert sent.value.sizes()["requestBodySize"] < big.stat().st_size / 2
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#kept-photos li")).to_have_count(2)
    kept = Image.open(io.BytesIO(resident.page.request.get(
        resident.base_url + page.locator("#kept-photos img").first.get_attribute("src")).body()))
    assert max(kept.size) <= 2560
    expect(page.locator("#category-search")).to_be_focused()
    resident.shot("resident-report-kept-after-error")

    # The type chosen now is named above the list; the photos go with the report.
    choose_category(page, "占道", world.category)
    expect(page.locator("#category-chosen")).to_contain_text(world.category.plain_name)
    page.locator("input[name=reporter_phone]").fill("13912345678")
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r"/cases/track/\w{10}/\?new=1"))
    code = page.locator("#tracking-code").inner_text().strip()
    case = Case.objects.get(tracking_code=code)
    assert case.photos.count() == 2
    expect(page.locator("#receipt-expected")).to_contain_text("预计办结")
    resident.shot("resident-receipt-expected-date")
    resident.network.assert_clean()


def test_a_point_outside_the_town_is_refused_when_chosen(open_screen, world, window):
    resident = open_window(open_screen, world, window,
                           point=(OUTSIDE["longitude"], OUTSIDE["latitude"]))
    page = resident.page
    resident.go("/cases/report/")
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.locator("#location-status")).to_contain_text("不在本镇")
    expect(page.locator("input[name=longitude]")).to_have_value("")
    resident.shot("resident-report-outside-refused")
    resident.network.assert_clean()


def test_an_emergency_category_says_whom_to_call_first(open_screen, world, window):
    resident = open_window(open_screen, world, window)
    page = resident.page
    resident.go("/cases/report/")
    gas = Category.objects.get(kind="event", major_code="04", minor_code="03")
    expect(page.locator("#emergency-notice")).to_be_hidden()
    choose_category(page, "煤气", gas)
    notice = page.locator("#emergency-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("962777")
    expect(notice.locator("a[href='tel:119']")).to_have_count(1)
    assert_tap_targets(page, "#emergency-notice a")
    resident.shot("resident-report-emergency-notice")
    resident.network.assert_clean()


class SmsGateway:
    sent: list[tuple[str, str]] = []

    def send(self, notice):
        SmsGateway.sent.append((notice.address, notice.body))


def test_a_resident_signs_up_with_a_code_and_finds_my_reports(open_screen, world, window, settings):
    settings.GRIDGOV_NOTICE_SENDERS = {"sms": f"{__name__}.SmsGateway"}
    settings.GRIDGOV_LOGIN_CODE_CHANNEL = "sms"
    SmsGateway.sent.clear()
    resident = open_window(open_screen, world, window)
    page = resident.page
    resident.go("/")
    resident.shot("resident-home-signed-out")
    page.get_by_role("link", name="手机号登录").click()
    phone = "13700001234"
    page.locator("input[name=phone]").last.fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_text("验证码已发送").wait_for()
    [(to, message)] = SmsGateway.sent
    assert to == phone
    page.locator("input[name=code]").fill(re.search(r"\d{6}", message)[0])
    page.locator("input[name=name]").fill("王阿姨")
    resident.shot("resident-code-sign-up")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/cases/mine/$"))
    resident.shot("resident-my-reports-empty")

    # 我的反映 in the menu, and on the home page; the report form knows who they are.
    toggle = page.locator(".nav-toggle-label")
    if toggle.is_visible():  # a phone folds the menu; a desktop window shows it
        toggle.click()
    expect(page.locator("nav.nav a[href='/cases/mine/']")).to_be_visible()
    if window is PHONE:  # fingers on a phone; a desktop's pointer is finer
        assert_tap_targets(page, ".nav-toggle-label, nav.nav a")
    resident.go("/")
    expect(page.locator(".tiles a[href='/cases/mine/']").first).to_be_visible()
    resident.shot("resident-home-signed-in")
    resident.go("/cases/report/")
    expect(page.locator("input[name=reporter_name]")).to_have_value("王阿姨")
    expect(page.locator("input[name=reporter_phone]")).to_have_value(phone)
    resident.shot("resident-report-prefilled")
    resident.network.assert_clean()


def test_the_progress_page_shows_the_reply_and_never_an_internal_note(open_screen, world, window):
    case = world.walk(world.report(world.resident), State.HANDLING)
    case, _ = act(case, "urge", actor=world.leader, note=URGING_NOTE)
    case, _ = act(case, "handle", actor=world.handler, note="内部：摊主态度差",
                  after_photos=[photo("after.jpg")], reply=REPLY)
    case = world.walk(case, State.CLOSED)

    resident = open_window(open_screen, world, window)
    page = resident.page
    resident.go(f"/cases/track/{case.tracking_code}/")
    expect(page.locator("#case-department")).to_have_text(world.enforcement.name)
    expect(page.locator("#replies")).to_contain_text(REPLY)
    content = page.content()
    assert URGING_NOTE not in content and "摊主态度差" not in content
    assert "处置完毕 · 处置完毕" not in content
    resident.shot("resident-track-reply")

    # The signed-in reporter's own case page says the same, and no more.
    resident.page.goto(resident.base_url + "/accounts/login/?next=/cases/mine/")
    page.locator("form[action='/accounts/login/'] input[name=phone]").fill(world.resident.phone)
    page.locator("form[action='/accounts/login/'] input[name=password]").fill(
        "pw-Xinjing-2025")
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cases/mine/$"))
    resident.go(f"/cases/{case.pk}/")
    expect(page.locator("#replies")).to_contain_text(REPLY)
    assert URGING_NOTE not in page.content()
    resident.shot("resident-own-case-page")

    # Not satisfied: the page says what happens next.
    page.get_by_label("不满意", exact=True).check()
    page.locator("textarea[name=reason]").fill("摊贩又回来了")
    assert_tap_targets(page, "#rate label")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#next-step")).to_contain_text("复核")
    resident.shot("resident-after-unsatisfied")
    resident.network.assert_clean()


def test_a_patrol_report_ends_on_a_staff_receipt(open_screen, world, window, tmp_path):
    grid_staff = open_window(open_screen, world, window)
    grid_staff.log_in(world.grid_staff)
    page = grid_staff.page
    grid_staff.go("/cases/report/")
    expect(page.locator("#contact-section")).to_have_count(0)
    expect(page.locator("input[name=is_anonymous]")).to_have_count(0)
    choose_category(page, "占道", world.category)
    page.locator("textarea[name=description]").fill("示例：巡查发现路口占道摆摊，已劝离")
    page.get_by_role("button", name="使用我的位置").click()
    page.locator("#location-status").filter(has_text="已使用您的位置").wait_for()
    page.locator("select[name=source]").select_option(Source.PATROL)
    page.locator("input[name=photos]").set_input_files(jpeg(tmp_path / "before.jpg"))
    page.locator("input[name=self_handled]").check()
    page.locator("input[name=after_photos]").set_input_files(jpeg(tmp_path / "after.jpg"))
    expect(page.locator("#after-photos li")).to_have_count(1)  # shrunk and shown like the others
    grid_staff.shot("staff-patrol-report")
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get(source=Source.PATROL)
    expect(page.get_by_text(f"已上报并自行处置，事件 {case.number} 已结案")).to_be_visible()
    content = page.content()
    assert "请记下查询码" not in content and "请您评价" not in content
    assert case.state == State.CLOSED
    assert page.locator("details[data-action='evaluate']").count() == 0
    grid_staff.shot("staff-patrol-receipt")
    grid_staff.network.assert_clean()

    # The rating the grid member may not give, a resident still may on a case of their own.
    reported = world.walk(world.report(world.resident), State.CLOSED)
    rate(reported, satisfaction="satisfied", tracking_code=reported.tracking_code)
