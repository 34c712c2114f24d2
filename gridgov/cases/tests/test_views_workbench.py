"""The workbench: each role's queues in its scope, filters and search, pages, bulk dispatch."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.cases.models import Case, State
from gridgov.cases.queues import PAGE_SIZE
from gridgov.cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def listed(response) -> set[str]:
    return {case.number for case in response.context["rows"]}


def get(client, user, **params):
    client.force_login(user)
    return client.get(reverse("cases:workbench"), params)


def test_residents_and_strangers_are_refused(client, world):
    response = client.get(reverse("cases:workbench"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(world.resident)
    assert client.get(reverse("cases:workbench")).status_code == 403
    assert client.post(reverse("cases:bulk_dispatch"), {"cases": [1]}).status_code == 403


def test_each_role_sees_its_own_queues(client, world):
    labels = {name: [q.label for q, _count in get(client, getattr(world, name)).context["tabs"]]
              for name in ("operator", "handler", "grid_staff", "leader")}
    assert labels["operator"][:2] == ["待受理", "待派遣"]
    assert labels["handler"][:2] == ["待接单", "处置中"] and "待受理" not in labels["handler"]
    assert labels["grid_staff"][0] == "待核查" and "待派遣" not in labels["grid_staff"]
    assert "超期" in labels["leader"] and "待派遣" not in labels["leader"]


def test_operator_queues_follow_the_state(client, world):
    reported = world.report()
    registered = world.walk(world.report(), State.REGISTERED)
    assert listed(get(client, world.operator, queue="intake")) == {reported.number}
    assert listed(get(client, world.operator, queue="dispatch")) == {registered.number}


def test_a_queue_the_role_does_not_have_falls_back_to_its_own(client, world):
    world.report()
    dispatched = world.walk(world.report(), State.DISPATCHED)
    response = get(client, world.handler, queue="intake")
    assert response.context["queue"].key == "incoming"
    assert listed(response) == {dispatched.number}


def test_handlers_see_only_their_department(client, world):
    dispatched = world.walk(world.report(), State.DISPATCHED)
    assert listed(get(client, world.handler, queue="incoming")) == {dispatched.number}
    assert listed(get(client, world.market_handler, queue="incoming")) == set()
    assert listed(get(client, world.market_handler, queue="all")) == set()
    assert listed(get(client, world.other_handler, queue="all")) == set()


def test_grid_staff_verify_only_in_their_grids(client, world):
    in_a1 = world.walk(world.report(), State.HANDLED)
    in_b1 = world.walk(world.report(grid=world.grid_b1), State.HANDLED)
    assert listed(get(client, world.grid_staff, queue="verify")) == {in_a1.number}
    assert listed(get(client, world.grid_staff_b, queue="verify")) == {in_b1.number}
    assert listed(get(client, world.other_grid_staff, queue="verify")) == set()


def test_community_operator_sees_only_its_community(client, world):
    world.report()
    in_b = world.report(grid=world.grid_b1)
    assert listed(get(client, world.operator_b, queue="intake")) == {in_b.number}
    assert listed(get(client, world.other_operator, queue="intake")) == set()


def test_leader_overview_of_overdue_cases(client, world):
    late = world.walk(world.report(), State.DISPATCHED)
    on_time = world.walk(world.report(), State.DISPATCHED)
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    assert listed(get(client, world.leader, queue="overdue")) == {late.number}
    assert listed(get(client, world.leader, queue="open")) == {late.number, on_time.number}
    assert listed(get(client, world.leader, queue="all", overdue="on")) == {late.number}


def test_filters(client, world):
    a1 = CaseFactory(grid=world.grid_a1, category=world.category, state=State.REGISTERED,
                     description="人行道井盖破损", department=world.enforcement)
    b1 = CaseFactory(grid=world.grid_b1, category=world.category, state=State.DISPATCHED,
                     description="门口垃圾堆放", department=world.market,
                     reported_at=timezone.now() - dt.timedelta(days=10))
    client.force_login(world.operator)

    def numbers(**params):
        return listed(client.get(reverse("cases:workbench"), {"queue": "all", **params}))

    assert numbers() == {a1.number, b1.number}
    assert numbers(state=State.DISPATCHED) == {b1.number}
    assert numbers(grid=world.grid_a1.pk) == {a1.number}
    assert numbers(department=world.market.pk) == {b1.number}
    assert numbers(category=world.category.pk) == {a1.number, b1.number}
    today = timezone.localdate()
    assert numbers(date_from=today.isoformat()) == {a1.number}
    assert numbers(date_to=(today - dt.timedelta(days=5)).isoformat()) == {b1.number}
    assert numbers(q="井盖") == {a1.number}
    assert numbers(q="垃圾堆放") == {b1.number}
    assert numbers(q="井盖 垃圾") == set()
    hint = 'id="short-terms"'
    for q, hinted in (("井", True), ("井盖 垃", True), ("井盖", False), ("井盖破", False)):
        assert (hint in client.get(reverse("cases:workbench"), {"q": q}).content.decode()) is hinted


def test_a_filter_out_of_scope_or_malformed_is_reported(client, world):
    client.force_login(world.operator)
    url = reverse("cases:workbench")
    response = client.get(url, {"grid": world.other_grid.pk})
    assert response.status_code == 400 and "不在您的范围内" in response.content.decode()
    response = client.get(url, {"date_from": "2025-13-40"})
    assert response.status_code == 400 and "不是有效的日期" in response.content.decode()
    response = client.get(url, {"date_from": "13/40/2025"})
    assert response.status_code == 400 and "日期格式" in response.content.decode()
    response = client.get(url, {"date_from": "2025-05-02", "date_to": "2025-05-01"})
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()


def test_pages_run_by_keyset(client, world):
    base = timezone.now()
    made = [CaseFactory(grid=world.grid_a1, category=world.category,
                        reported_at=base - dt.timedelta(minutes=i)) for i in range(PAGE_SIZE + 5)]
    client.force_login(world.operator)
    first = client.get(reverse("cases:workbench"), {"queue": "intake"})
    assert [c.pk for c in first.context["rows"]] == [c.pk for c in made[:PAGE_SIZE]]
    cursor = first.context["next_cursor"]
    assert cursor and "next-page" in first.content.decode()
    second = client.get(reverse("cases:workbench"), {"queue": "intake", "after": cursor})
    assert [c.pk for c in second.context["rows"]] == [c.pk for c in made[PAGE_SIZE:]]
    assert second.context["next_cursor"] == ""
    # A cursor that is not one starts from the top instead of failing.
    assert client.get(reverse("cases:workbench"), {"after": "garbage"}).status_code == 200


def test_rows_at_the_same_moment_are_neither_lost_nor_repeated(client, world):
    moment = timezone.now()
    made = [CaseFactory(grid=world.grid_a1, category=world.category, reported_at=moment)
            for _ in range(PAGE_SIZE + 3)]
    client.force_login(world.operator)
    first = client.get(reverse("cases:workbench"), {"queue": "intake"})
    second = client.get(reverse("cases:workbench"),
                        {"queue": "intake", "after": first.context["next_cursor"]})
    seen = [c.pk for c in first.context["rows"]] + [c.pk for c in second.context["rows"]]
    assert sorted(seen) == sorted(c.pk for c in made)


@pytest.mark.parametrize("name", ["operator", "handler", "grid_staff", "leader"])
def test_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries, name):
    user = getattr(world, name)
    client.force_login(user)

    def make(n):
        for _ in range(n):
            CaseFactory(grid=world.grid_a1, category=world.category, state=State.HANDLED,
                        department=world.enforcement, due_at=timezone.now())

    make(2)
    with django_assert_max_num_queries(50) as few:
        client.get(reverse("cases:workbench"), {"queue": "all", "q": "示例"})
    make(28)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("cases:workbench"), {"queue": "all", "q": "示例"})
    assert len(response.context["rows"]) == PAGE_SIZE


def test_bulk_dispatch_reports_each_case(client, world):
    ready = [world.walk(world.report(), State.REGISTERED) for _ in range(3)]
    not_ready = world.report()
    elsewhere = CaseFactory(grid=world.other_grid, state=State.REGISTERED)
    client.force_login(world.operator)
    response = client.post(reverse("cases:bulk_dispatch"), {
        "cases": [c.pk for c in ready] + [not_ready.pk, elsewhere.pk],
        "department": world.market.pk, "note": "请尽快处理",
    }, headers={"HX-Request": "true"})
    assert response.status_code == 200
    results = {r["pk"]: r for r in response.context["results"]}
    for case in ready:
        case.refresh_from_db()
        assert case.state == State.DISPATCHED and case.department == world.market
        assert results[case.pk]["ok"] and "示例市场监管所" in results[case.pk]["message"]
    assert not results[not_ready.pk]["ok"] and "不能执行此操作" in results[not_ready.pk]["message"]
    assert not results[elsewhere.pk]["ok"] and "不在您的范围内" in results[elsewhere.pk]["message"]
    elsewhere.refresh_from_db()
    assert elsewhere.state == State.REGISTERED and elsewhere.department is None


def test_bulk_dispatch_by_default_department(client, world):
    case = world.walk(world.report(), State.REGISTERED)
    client.force_login(world.operator)
    client.post(reverse("cases:bulk_dispatch"), {"cases": [case.pk]})
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.department == world.enforcement


@pytest.mark.parametrize("name", ["handler", "grid_staff", "leader", "other_operator"])
def test_bulk_dispatch_refused_for_others(client, world, name):
    case = world.walk(world.report(), State.REGISTERED)
    client.force_login(getattr(world, name))
    response = client.post(reverse("cases:bulk_dispatch"), {"cases": [case.pk]})
    assert response.status_code == 200
    assert [r["ok"] for r in response.context["results"]] == [False]
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_bulk_dispatch_input_errors(client, world):
    client.force_login(world.operator)
    response = client.post(reverse("cases:bulk_dispatch"), {})
    assert response.status_code == 400 and "请先勾选要派遣的事件" in response.content.decode()
    response = client.post(reverse("cases:bulk_dispatch"), {"cases": ["x"]})
    assert response.status_code == 400 and "事件选择有误" in response.content.decode()
    response = client.post(reverse("cases:bulk_dispatch"),
                           {"cases": list(range(1, 102))})
    assert response.status_code == 400 and "一次最多派遣100件" in response.content.decode()
    response = client.post(reverse("cases:bulk_dispatch"),
                           {"cases": [1], "department": world.other_department.pk})
    assert response.status_code == 400 and "不在您的范围内" in response.content.decode()
