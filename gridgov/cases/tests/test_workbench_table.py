"""The workbench's table view, sorting, select-all and saved filters; the case map's 待受理
cases, filters and legend (issue 12, item 9)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gridgov.cases.models import State
from gridgov.cases.tests.factories import CaseFactory
from gridgov.core.models import SavedFilter

WORKBENCH = "/cases/workbench/"


def test_the_table_shows_number_category_grid_state_deadline_and_a_masked_reporter(client, world):
    case = world.report(reporter_name="王小明", reporter_phone="13812345678")
    client.force_login(world.operator)
    body = client.get(WORKBENCH, {"queue": "intake", "view": "table"}).content.decode()
    assert "<table" in body and case.number in body and world.category.name in body
    assert world.grid_a1.name in body and "待受理" in body
    assert "王*" in body and "王小明" not in body and "13812345678" not in body


def test_the_dispatch_queue_has_select_all_and_every_tab_its_count(client, world):
    for _ in range(2):
        world.walk(world.report(), State.REGISTERED)
    client.force_login(world.operator)
    response = client.get(WORKBENCH, {"queue": "dispatch", "view": "table"})
    body = response.content.decode()
    assert 'id="select-all"' in body and body.count('name="cases"') == 2
    counted = {q.key: n for q, n in response.context["tabs"]}
    assert counted["dispatch"] == 2 and counted["intake"] == 0 and counted["all"] is None


def test_sorting_by_deadline_pages_by_keyset_without_loss_or_repeat(client, world):
    from gridgov.cases import queues

    now = timezone.now()
    made = [CaseFactory(grid=world.grid_a1, category=world.category, state=State.DISPATCHED,
                        due_at=now + dt.timedelta(hours=h)) for h in (5, 1, 9, 3, 7)]
    made += [CaseFactory(grid=world.grid_a1, category=world.category, state=State.REPORTED)]
    cases = queues.queue_cases(queues.QUEUES_BY_KEY["all"], world.operator, now)
    seen, after = [], ""
    for _ in range(5):
        rows, after = queues.page(cases, after, size=2, sort=queues.sort_named("deadline"))
        seen += [case.pk for case in rows]
        if not after:
            break
    client.force_login(world.operator)
    shown = client.get(WORKBENCH, {"queue": "all", "sort": "deadline"}).context["rows"]
    assert [case.pk for case in shown] == seen
    by_deadline = sorted(made[:5], key=lambda c: c.due_at)
    assert seen[:5] == [c.pk for c in by_deadline] and seen[5:] == [made[5].pk]


def test_an_unknown_sort_or_view_is_refused_with_a_chinese_message(client, world):
    client.force_login(world.operator)
    response = client.get(WORKBENCH, {"sort": "description; DROP TABLE"})
    assert response.status_code == 400 and "sort 的取值无效" in response.content.decode()
    assert client.get(WORKBENCH, {"view": "grid"}).status_code == 400


def test_saved_filters_belong_to_their_user(client, world):
    client.force_login(world.operator)
    response = client.post(reverse("core:save_filter"), {
        "page": "cases:workbench", "name": "超期的", "query": "queue=all&overdue=on&after=x"})
    assert response.status_code == 302 and "overdue=on" in response["Location"]
    saved = SavedFilter.objects.get(user=world.operator)
    assert saved.query == "queue=all&overdue=on"  # the cursor is a position, not a filter
    assert "超期的" in client.get(WORKBENCH).content.decode()

    client.force_login(world.leader)
    assert "超期的" not in client.get(WORKBENCH).content.decode()
    assert client.post(reverse("core:delete_filter", args=[saved.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    refused = client.post(reverse("core:save_filter"), {"page": "admin:index", "name": "x"})
    assert refused.status_code == 400 and not SavedFilter.objects.filter(user=world.leader)

    client.force_login(world.operator)
    client.post(reverse("core:delete_filter", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


def test_the_map_shows_intake_cases_takes_the_filters_and_has_a_legend(client, world):
    reported = world.report()
    other = CaseFactory(grid=world.grid_b1, category=world.category, state=State.DISPATCHED)
    client.force_login(world.operator)
    data = reverse("cases:case_map_data")
    box = {"bbox": "120,30,123,33", "zoom": "18"}
    items = client.get(data, box).json()["items"]
    assert {item["id"]: item["colour"] for item in items}[reported.pk] == "intake"
    assert other.pk in {item["id"] for item in items}
    only_a1 = client.get(data, {**box, "grid": world.grid_a1.pk}).json()["items"]
    assert [item["id"] for item in only_a1] == [reported.pk]
    assert client.get(data, {**box, "date_from": "9999-12-31"}).status_code == 400
    page = client.get(reverse("cases:case_map")).content.decode()
    for label in ("正常", "临近时限", "已超期", "暂停计时", "待受理", "网格边界", "网格内有超期事件"):
        assert label in page
