"""The case page: lookup in scope, masked personal data, actions posted with htmx."""

import pytest
from django.urls import reverse

from gridgov.cases.models import Case, CaseEvent, State
from gridgov.cases.tests.factories import photo
from gridgov.core.models import AuditEntry

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def detail(client, user, case):
    client.force_login(user)
    return client.get(reverse("cases:case_detail", args=[case.pk]))


def act(client, user, case, action, data=None):
    client.force_login(user)
    return client.post(reverse("cases:case_action", args=[case.pk, action]), data or {},
                       headers=HTMX)


@pytest.mark.parametrize("name", ["other_operator", "other_handler", "other_grid_staff",
                                  "market_handler", "grid_staff_b", "operator_b"])
def test_out_of_scope_is_not_found_everywhere(client, world, name):
    case = world.walk(world.report(photos=[photo()]), State.DISPATCHED)
    user = getattr(world, name)
    client.force_login(user)
    picture = case.photos.get()
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("cases:case_action", args=[case.pk, "accept"])).status_code == 404
    assert client.post(reverse("cases:reveal_contact", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:case_photo", args=[case.pk, picture.pk])).status_code == 404
    case.refresh_from_db()
    assert case.state == State.DISPATCHED


def test_another_residents_case_is_not_found(client, world):
    from gridgov.grids.tests.factories import UserFactory

    case = world.report()
    assert detail(client, UserFactory(), case).status_code == 404
    assert detail(client, world.resident, case).status_code == 200


def test_contact_is_masked_and_revealed_with_an_audit_entry(client, world):
    case = world.report(reporter_name="张小明", reporter_phone="13912345678")
    page = detail(client, world.operator, case).content.decode()
    assert "139****5678" in page and "张*明" in page and "13912345678" not in page
    assert "查看完整" in page
    response = client.post(reverse("cases:reveal_contact", args=[case.pk]), headers=HTMX)
    assert response.status_code == 200
    assert "13912345678" in response.content.decode() and "张小明" in response.content.decode()
    entries = AuditEntry.objects.filter(action="core.pii.revealed", object_id=str(case.pk),
                                        actor=world.operator)
    assert {e.changes["field"] for e in entries} == {"reporter_name", "reporter_phone"}


@pytest.mark.parametrize("name", ["handler", "leader"])
def test_roles_without_need_cannot_reveal(client, world, name):
    case = world.walk(world.report(reporter_phone="13912345678"), State.DISPATCHED)
    page = detail(client, getattr(world, name), case).content.decode()
    assert "查看完整" not in page and "13912345678" not in page
    response = client.post(reverse("cases:reveal_contact", args=[case.pk]))
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="core.pii.revealed").exists()


def test_buttons_come_from_the_allowed_actions(client, world):
    case = world.report()
    operator_page = detail(client, world.operator, case).content.decode()
    assert 'data-action="register"' in operator_page and 'data-action="reject"' in operator_page
    handler_page = detail(client, world.leader, case).content.decode()
    assert "data-action=" not in handler_page


def test_operator_registers_with_htmx_and_gets_the_panel_back(client, world):
    case = world.report()
    response = act(client, world.operator, case, "register", {"register-note": "情况属实"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="case-panel">') and "已立案" in body and "已完成：立案" in body
    case.refresh_from_db()
    assert case.state == State.REGISTERED and case.due_at is not None
    assert CaseEvent.objects.filter(case=case, action="register", note="情况属实").exists()


def test_without_htmx_an_action_redirects_to_the_page(client, world):
    case = world.report()
    client.force_login(world.operator)
    response = client.post(reverse("cases:case_action", args=[case.pk, "register"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])


def test_missing_input_is_shown_inline_and_nothing_changes(client, world):
    case = world.report()
    response = act(client, world.operator, case, "reject", {"reject-note": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写说明" in body and 'data-action="reject"' in body
    case.refresh_from_db()
    assert case.state == State.REPORTED


def test_handling_needs_after_photos(client, world):
    case = world.walk(world.report(), State.HANDLING)
    response = act(client, world.handler, case, "handle", {"handle-note": "已清理"})
    assert response.status_code == 400 and "请至少上传一张照片" in response.content.decode()
    response = act(client, world.handler, case, "handle",
                   {"handle-note": "已清理", "handle-after_photos": [photo("after.jpg")]})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == State.HANDLED
    assert case.photos.filter(phase="after").count() == 1


def test_dispatch_to_a_chosen_department(client, world):
    case = world.walk(world.report(), State.REGISTERED)
    response = act(client, world.operator, case, "dispatch",
                   {"dispatch-department": world.market.pk})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.department == world.market


def test_dispatch_to_another_towns_department_is_refused(client, world):
    case = world.walk(world.report(), State.REGISTERED)
    response = act(client, world.operator, case, "dispatch",
                   {"dispatch-department": world.other_department.pk})
    assert response.status_code == 400 and "只能派遣给本镇/街道的部门" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.REGISTERED


@pytest.mark.parametrize("name, action, state", [
    ("handler", "register", State.DISPATCHED), ("leader", "register", State.REPORTED),
    ("grid_staff", "dispatch", State.REGISTERED), ("resident", "register", State.REPORTED),
    ("operator", "accept", State.DISPATCHED), ("market_handler", "accept", State.DISPATCHED),
])
def test_visible_but_not_allowed_is_forbidden(client, world, name, action, state):
    case = world.report() if state == State.REPORTED else world.walk(world.report(), state)
    if name == "market_handler":
        # Called in (吹哨), the market office sees the case, but it is not dispatched to it.
        from gridgov.cases.actions import act as run

        run(case, "escalate", actor=world.operator, departments=[world.market.pk])
    assert detail(client, getattr(world, name), case).status_code == 200
    response = act(client, getattr(world, name), case, action)
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == state


def test_an_action_no_longer_possible_is_refused(client, world):
    case = world.report()
    assert act(client, world.operator, case, "register").status_code == 200
    response = act(client, world.operator, case, "register")
    assert response.status_code == 403
    assert CaseEvent.objects.filter(case=case, action="register").count() == 1


def test_unknown_action_is_not_found(client, world):
    case = world.report()
    assert act(client, world.operator, case, "teleport").status_code == 404


def test_a_returned_case_leaves_the_handlers_sight(client, world):
    case = world.walk(world.report(), State.DISPATCHED)
    response = act(client, world.handler, case, "return", {"return-note": "不属于本部门职责"})
    assert response.status_code == 200 and "已不在您的办理范围内" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.REGISTERED and case.return_count == 1


def test_duplicates_are_offered_at_intake_and_merged(client, world):
    first = world.report(description="示例路口有人占道摆摊卖水果")
    second = world.report(description="示例路口占道摆摊卖水果很多天了")
    page = detail(client, world.operator, second).content.decode()
    assert 'id="duplicates"' in page and first.number in page
    response = act(client, world.operator, second, "merge", {"merge-into": first.number})
    assert response.status_code == 200
    second.refresh_from_db()
    assert second.state == State.MERGED and second.merged_into == first
    # The duplicate's reporter follows the kept case by the duplicate's own code.
    tracked = client.get(reverse("cases:track_case", args=[second.tracking_code])).content.decode()
    assert first.number in tracked and "已合并" in tracked


def test_merge_into_an_unknown_or_unseen_number_is_refused(client, world):
    from gridgov.cases.tests.factories import CaseFactory

    case = world.report()
    elsewhere = CaseFactory(grid=world.other_grid)
    for number in ("XJ00000000000000", elsewhere.number):
        response = act(client, world.operator, case, "merge", {"merge-into": number})
        assert response.status_code == 400 and "不在您的范围内" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.REPORTED


def test_page_shows_timeline_photos_and_map(client, world):
    case = world.walk(world.report(photos=[photo("before.jpg")]), State.HANDLED)
    page = detail(client, world.operator, case).content.decode()
    assert page.count("<li><strong>") == 5  # 上报, 立案, 派遣, 接单, 处置完毕
    assert "处置前" in page and "处置后" in page
    assert 'id="case-location"' in page
    for picture in case.photos.all():
        response = client.get(reverse("cases:case_photo", args=[case.pk, picture.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_case_page_queries_do_not_grow_with_history_or_photos(client, world,
                                                             django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridgov.cases.actions import act as run

    small = world.walk(world.report(photos=[photo()]), State.DISPATCHED)
    large = world.walk(world.report(photos=[photo(f"{i}.jpg") for i in range(9)]),
                       State.DISPATCHED)
    for _ in range(10):
        run(large, "urge", actor=world.leader, note="请加快", photos=[photo()])
    client.force_login(world.operator)
    for url_name, args in (("cases:case_detail", lambda c: [c.pk]),
                           ("cases:track_case", lambda c: [c.tracking_code])):
        # Once first: what a process caches (the calendar's own days) is read on the first page.
        client.get(reverse(url_name, args=args(small)))
        with CaptureQueriesContext(connection) as few:
            client.get(reverse(url_name, args=args(small)))
        with django_assert_num_queries(len(few.captured_queries)):
            client.get(reverse(url_name, args=args(large)))


def test_signed_in_reporter_rates_on_the_case_page(client, world):
    case = world.walk(world.report(), State.CLOSED)
    response = act(client, world.resident, case, "evaluate",
                   {"evaluate-satisfaction": "unsatisfied", "evaluate-reason": ""})
    assert response.status_code == 400 and "不满意的原因" in response.content.decode()
    response = act(client, world.resident, case, "evaluate",
                   {"evaluate-satisfaction": "satisfied"})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == State.EVALUATED and case.satisfaction == "satisfied"
    assert Case.objects.filter(pk=case.pk, needs_review=False).exists()


def test_extension_is_asked_and_decided_on_the_page(client, world):
    case = world.walk(world.report(), State.HANDLING)
    response = act(client, world.handler, case, "request_extension",
                   {"request_extension-working_days": "40", "request_extension-note": "需协调"})
    assert response.status_code == 400 and "延期天数应为1到30个工作日" in response.content.decode()
    response = act(client, world.handler, case, "request_extension",
                   {"request_extension-working_days": "3", "request_extension-note": "需协调物业"})
    assert response.status_code == 200
    page = detail(client, world.operator, case).content.decode()
    assert 'id="pending-extension"' in page and "3个工作日" in page and "需协调物业" in page
    due_before = Case.objects.get(pk=case.pk).due_at
    assert act(client, world.operator, case, "approve_extension").status_code == 200
    case.refresh_from_db()
    assert case.due_at > due_before and case.clock_paused_at is None
    assert 'id="pending-extension"' not in detail(client, world.operator, case).content.decode()


def test_who_reported_is_shown_without_personal_data(client, world):
    anonymous = world.report(is_anonymous=True)
    assert "匿名" in detail(client, world.operator, anonymous).content.decode()
    no_contact = world.report()  # signed-in resident, no contact given
    page = detail(client, world.operator, no_contact).content.decode()
    assert world.resident.masked_name in page and world.resident.name not in page
