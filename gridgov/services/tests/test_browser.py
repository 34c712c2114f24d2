"""The service package on phones, in Debian's Chromium driven by Playwright: a rider finds an
item by searching in Chinese, applies, the providing department accepts, serves and finishes,
the rider rates; and a visit recorded with no signal is kept on the phone and sent once when
the signal is back. Screenshots in test-artifacts/browser/."""

import re

import pytest
from django.utils import timezone

from gridgov.core.tests.browser import Screen
from gridgov.grids.tests.factories import PASSWORD
from gridgov.services.models import Application, State, VisitRecord
from gridgov.services.tests.factories import OrganisationFactory, ServicesWorld

pytestmark = [pytest.mark.browser]


class Phone(Screen):
    def log_in(self, user, then="/"):
        self.go(f"/accounts/login/?next={then}")
        form = self.page.locator("form[action='/accounts/login/']")
        form.locator("input[name=phone]").fill(user.phone)
        form.locator("input[name=password]").fill(PASSWORD)
        form.locator("button[type=submit]").click()
        self.page.wait_for_url(re.compile(re.escape(then) + "$"))

    def act(self, label, fill=None):
        section = self.page.locator("details", has=self.page.locator("summary", has_text=label))
        if section.get_attribute("open") is None:
            section.locator("summary").click()
        if fill:
            fill(section)
        section.locator("button[type=submit]").click()
        self.page.locator(".messages").filter(has_text=f"已{label}").wait_for()
        self.shot(f"application-after-{label}")


def test_find_an_item_apply_accept_finish_and_rate(open_screen):
    world = ServicesWorld.build()
    rider = open_screen(Phone)
    rider.log_in(world.rider)
    rider.go(f"/services/?town={world.town.pk}")
    rider.shot("catalogue")
    page = rider.page
    page.get_by_placeholder("搜索服务").fill("骑手")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r"q=%E9%AA%91%E6%89%8B"))
    rider.shot("catalogue-search-riders")
    page.get_by_role("link", name="骑手驿站休息").click()
    rider.shot("item")
    page.locator("#apply-link").click()
    page.locator("input[name=applicant_kind][value=person]").check()
    page.locator("input[name=contact_phone]").fill("13912345678")
    page.locator("textarea[name=details]").fill("晚上送餐间隙想在驿站休息、给电瓶充电")
    rider.shot("apply-filled")
    page.get_by_role("button", name="提交申请").click()
    page.locator("#application-number").wait_for()
    rider.shot("applied")
    application = Application.objects.get()
    assert application.state == State.RECEIVED and application.applicant == world.rider

    provider = open_screen(Phone)
    provider.log_in(world.party_handler)
    assert provider.page.locator(".tile.todo.waiting", has_text="待接单的服务申请").count() == 1
    provider.shot("home-todos")
    provider.go("/services/queue/")
    provider.shot("queue")
    provider.page.get_by_role("link", name="骑手驿站休息").click()
    provider.shot("application-received")
    assert "139****5678" in provider.page.content()
    provider.act("接单")
    provider.act("开始服务")
    provider.act("办结", lambda form: form.locator("textarea").fill("已为您登记驿站夜间休息位"))
    application.refresh_from_db()
    assert application.state == State.DONE

    rider.go(f"/services/applications/{application.pk}/")
    rider.shot("done-to-rate")
    rider.act("评价", lambda form: (form.locator("input[name=rate-rating]").fill("5"),
                                   form.locator("textarea").fill("很及时")))
    application.refresh_from_db()
    assert application.rating == 5
    assert "★★★★★" in rider.page.content()


def test_a_visit_written_without_signal_is_sent_once_when_back_online(open_screen):
    world = ServicesWorld.build()
    organisation = OrganisationFactory(town=world.town, grid=world.grid_a1,
                                       building=world.building, name="示例地下车库配送站")
    visitor = open_screen(Phone)
    visitor.log_in(world.grid_staff, then="/services/visits/")
    visitor.go("/services/visits/new/")
    page = visitor.page
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null"
                           " || document.readyState === 'complete'")
    page.locator("select[name=organisation]").select_option(str(organisation.pk))
    page.locator("input[name=visitors]").fill("网格员甲")
    page.locator("textarea[name=needs]").fill("地下车库没有信号，骑手无法接单")
    visitor.context.set_offline(True)
    page.get_by_role("button", name="提交走访记录").click()
    page.locator("#offline-status").filter(has_text="已保存在手机上").wait_for()
    visitor.shot("visit-saved-offline")
    assert not VisitRecord.objects.exists()
    visitor.context.set_offline(False)
    # The signal is back: the page hears "online" and sends the kept record.
    page.locator("#offline-status").filter(has_text="已提交 1 条").wait_for()
    visitor.shot("visit-sent-when-online")
    visitor.go("/services/visits/new/")  # opened again: nothing left to send, nothing twice
    page.wait_for_timeout(1000)
    record = VisitRecord.objects.get()
    assert record.organisation == organisation and record.visited_on == timezone.localdate()
    assert record.needs.get().description == "地下车库没有信号，骑手无法接单"


def test_the_coverage_map_and_the_visit_team_page(open_screen):
    world = ServicesWorld.build()
    for n, (grid, covered) in enumerate([(world.grid_a1, True), (world.grid_a1, False),
                                         (world.grid_b1, True)]):
        OrganisationFactory(town=world.town, grid=grid, name=f"示例组织{n}",
                            has_party_org=covered, work_covered=covered)
    leader = open_screen(Phone)
    leader.log_in(world.party_affairs, then="/services/coverage/")
    leader.page.locator("#coverage-map path.leaflet-interactive").first.wait_for()
    assert leader.page.locator("#coverage-map path.leaflet-interactive").count() == 2
    assert leader.page.locator("#org-rate").inner_text() == "66.7%"
    leader.shot("coverage-map")
    leader.go("/services/coverage/uncovered/")
    leader.shot("coverage-uncovered")
    leader.go("/services/visits/")
    leader.shot("visit-team")
