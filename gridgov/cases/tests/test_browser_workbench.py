"""The workbench's table and the case map on a desktop window, in Chromium: select-all ticks
every case of the page for bulk dispatch, a filter is saved and opened again, the map shows
待受理 cases with a legend for every colour. Screenshots in test-artifacts/browser/."""

import pytest
from django.core.management import call_command

from gridgov.cases.models import State
from gridgov.cases.tests.factories import CaseWorld
from gridgov.cases.tests.test_browser import Phone
from gridgov.core.tests.browser import DESKTOP
from gridgov.grids.tests.factories import GridFactory

pytestmark = [pytest.mark.browser]


def test_table_select_all_saved_filter_and_map_legend(open_screen):
    GridFactory.reset_sequence()
    world = CaseWorld.build()
    call_command("load_catalogue", verbosity=0)
    for _ in range(3):
        world.walk(world.report(), State.REGISTERED)
    world.report()  # 待受理

    operator = open_screen(Phone, device=DESKTOP)
    operator.log_in(world.operator)
    operator.go("/cases/workbench/?queue=dispatch&view=table")
    page = operator.page
    boxes = page.locator("#queue input[name=cases]")
    assert boxes.count() == 3
    page.locator("#select-all").check()
    for index in range(3):
        assert boxes.nth(index).is_checked()
    operator.shot("workbench-table-select-all")
    page.locator("#select-all").uncheck()
    assert not boxes.first.is_checked()

    page.locator("#saved-filter-name").fill("待派遣表格")
    page.locator("#save-filter button[type=submit]").click()
    page.locator("#saved-filters a", has_text="待派遣表格").wait_for()
    operator.shot("workbench-saved-filter")

    operator.go("/cases/map/")
    page.locator("#case-map[data-loaded]").wait_for(state="attached")
    legend = page.locator("#legend").inner_text()
    for label in ("正常", "临近时限", "已超期", "暂停计时", "待受理", "网格边界"):
        assert label in legend
    page.locator("#map-status").filter(has_text="范围内事件").wait_for()
    operator.shot("case-map-legend")
