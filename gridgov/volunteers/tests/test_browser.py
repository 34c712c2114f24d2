"""The volunteer's journey on a phone in Debian's Chromium: apply, (approved by the organiser),
join an activity, check in by the organiser's QR code, check out, and find the hours on one's own
page. Two phones: the volunteer's and the organiser's, which shows the QR code. The clock is moved
with time-machine (the live server runs in this process). Screenshots in test-artifacts/browser/."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from gridgov.core.tests.browser import PHONE, Screen
from gridgov.grids.tests.factories import PASSWORD, UserFactory
from gridgov.volunteers import actions
from gridgov.volunteers.models import Volunteer
from gridgov.volunteers.tests.factories import World

pytestmark = [pytest.mark.browser]


class Phone(Screen):
    def log_in(self, user, then):
        self.go(f"/accounts/login/?next={then}")
        form = self.page.locator("form[action='/accounts/login/']")
        form.locator("input[name=phone]").fill(user.phone)
        form.locator("input[name=password]").fill(PASSWORD)
        form.locator("button[type=submit]").click()
        self.page.wait_for_url(re.compile(re.escape(then)))

    def scan(self, organiser):
        """What the phone's camera does with the code: open the address it holds."""
        url = organiser.page.locator("#qr-code").get_attribute("data-url")
        assert organiser.page.locator("#qr-code svg").count() == 1
        self.page.goto(url)


def test_sign_up_join_check_in_and_out_then_see_the_hours(open_screen, live_site):
    world = World.build()
    start = (timezone.now() + dt.timedelta(days=1)).replace(microsecond=0)
    activity = world.activity(title="义诊与健康讲座", starts_at=start,
                              ends_at=start + dt.timedelta(hours=2),
                              cancel_deadline=start - dt.timedelta(hours=12))
    resident = UserFactory(name="赵志愿")
    with time_machine.travel(start - dt.timedelta(hours=3), tick=True) as clock:
        me = open_screen(Phone, device=PHONE)
        me.log_in(resident, "/volunteers/join/")
        page = me.page
        page.locator("input[name=name]").fill("赵志愿")
        page.locator("input[name=phone]").fill("13912348888")
        page.locator("input[name=birth_date]").fill("1992-04-05")
        page.locator("select[name=organisation]").select_option(str(world.org.pk))
        me.shot("volunteers-join-form")
        page.locator("#submit-application").click()
        page.wait_for_url(re.compile(r"/volunteers/me/"))
        assert "待审核" in page.content()
        me.shot("volunteers-applied")

        actions.act_on_volunteer(Volunteer.objects.get(user=resident), "approve",
                                 actor=world.organiser)

        me.go(f"/volunteers/activities/{activity.pk}/")
        page.locator("#sign-up").click()
        page.locator("#my-state").filter(has_text="已报名").wait_for()
        me.shot("volunteers-joined")

        clock.move_to(start + dt.timedelta(minutes=10))
        organiser = open_screen(Phone, device=PHONE)
        organiser.log_in(world.organiser, f"/volunteers/manage/activities/{activity.pk}/")
        organiser.shot("volunteers-roll-call-qr-in")
        me.scan(organiser)
        me.shot("volunteers-scan-in")
        page.locator("#confirm-attendance").click()
        page.wait_for_url(re.compile(r"/volunteers/me/"))
        assert "签到成功" in page.content()

        clock.move_to(start + dt.timedelta(minutes=70))
        organiser.go(f"/volunteers/manage/activities/{activity.pk}/?kind=out")
        organiser.shot("volunteers-roll-call-qr-out")
        me.scan(organiser)
        page.locator("#confirm-attendance").click()
        page.wait_for_url(re.compile(r"/volunteers/me/"))
        assert "签退成功" in page.content()
        assert page.locator("#my-hours").inner_text() == "1.0"
        me.shot("volunteers-hours-on-own-page")


def test_the_calendar_map_and_the_offices_charts_draw_offline(open_screen, live_site):
    world = World.build()
    past = world.activity(title="社区书屋亲子共读")
    signup = world.signed_up(past)
    with time_machine.travel(past.starts_at, tick=False):
        actions.act(signup, "mark_present", actor=world.organiser)
    with time_machine.travel(past.starts_at + dt.timedelta(minutes=90), tick=False):
        actions.act(signup, "mark_left", actor=world.organiser)
    world.activity(title="文明交通引导")
    visitor = open_screen(Phone, device=PHONE)
    outside = []
    visitor.page.on("request", lambda request: None if request.url.startswith(live_site.url)
                    else outside.append(request.url))
    visitor.go("/volunteers/")
    visitor.page.locator("#activity-map .leaflet-marker-icon").first.wait_for()
    assert "文明交通引导" in visitor.page.content()
    visitor.shot("volunteers-calendar-and-map")
    office = open_screen(Phone, device=PHONE)
    office.log_in(world.office, "/volunteers/hours/")
    office.shot("volunteers-ledger")
    office.go(f"/volunteers/stats/?year={past.starts_at.year}")
    office.page.locator("#chart-projects canvas").first.wait_for()
    office.page.locator("#chart-months canvas").first.wait_for()
    office.shot("volunteers-statistics")
    assert outside == []
