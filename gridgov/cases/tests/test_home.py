"""The home page tells each person what waits for them, counted, with a link to the work."""

import pytest
from django.urls import reverse

from gridgov.cases.models import State

pytestmark = pytest.mark.django_db


def todos(client, user) -> dict[str, int]:
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return {todo.label: todo.count for todo in response.context["todos"]}


def test_the_operator_sees_what_waits_in_each_queue(client, world):
    world.report()
    world.report()
    world.walk(world.report(), State.REGISTERED)
    counted = todos(client, world.operator)
    assert counted["待受理"] == 2 and counted["待派遣"] == 1 and counted["待结案"] == 0
    assert "全部" not in counted  # the catch-all list is not work to do


def test_counts_stay_inside_the_scope(client, world):
    world.report()
    world.report(grid=world.grid_b1)
    assert todos(client, world.operator_b)["待受理"] == 1
    assert todos(client, world.other_operator)["待受理"] == 0


def test_handlers_and_grid_staff_see_their_own_work(client, world):
    world.walk(world.report(), State.DISPATCHED)
    world.walk(world.report(), State.HANDLED)
    assert todos(client, world.handler) == {"待接单": 1, "处置中": 0}
    assert todos(client, world.market_handler) == {"待接单": 0, "处置中": 0}
    assert todos(client, world.grid_staff)["待核查"] == 1


def test_a_resident_sees_their_reports_and_what_to_rate(client, world):
    world.report()
    world.walk(world.report(), State.CLOSED)
    world.report(actor=world.handler)  # someone else's
    assert todos(client, world.resident) == {"我的反映 · 办理中": 1, "我的反映 · 待评价": 1}


def test_each_count_links_to_its_queue(client, world):
    world.report()
    client.force_login(world.operator)
    page = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("cases:workbench")}?queue=intake"' in page


def test_the_workbench_tabs_carry_the_same_counts(client, world):
    world.report()
    client.force_login(world.operator)
    tabs = client.get(reverse("cases:workbench")).context["tabs"]
    counts = {queue.key: count for queue, count in tabs}
    assert counts["intake"] == 1 and counts["all"] is None


def test_signed_out_visitors_get_the_entries_only(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200 and response.context["todos"] == []


# ----- 我的反映 for a resident (issue 12, item 4) -------------------------------------------------

def test_my_reports_is_in_the_menu_and_on_home_for_a_signed_in_resident_only(client, world):
    from django.urls import reverse

    mine = reverse("cases:my_cases")
    assert f'href="{mine}"' not in client.get("/").content.decode().split("功能入口")[1]
    client.force_login(world.resident)
    page = client.get("/").content.decode()
    assert f'href="{mine}"' in page and "我的反映" in page
    report = client.get(reverse("cases:report")).content.decode()
    assert f'href="{mine}"' in report  # the menu on every page


def test_the_report_form_is_filled_in_for_a_signed_in_resident(client, world):
    from django.urls import reverse

    world.resident.name = "王阿姨"
    world.resident.save()
    client.force_login(world.resident)
    page = client.get(reverse("cases:report")).content.decode()
    assert 'value="王阿姨"' in page and f'value="{world.resident.phone}"' in page


def test_staff_get_no_contact_of_their_own_filled_in(client, world):
    from django.urls import reverse

    client.force_login(world.operator)
    page = client.get(reverse("cases:report")).content.decode()
    assert f'value="{world.operator.phone}"' not in page
