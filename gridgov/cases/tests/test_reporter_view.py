"""What a reporter sees of their case (issue 9, finding 10): the public reply yes, an internal
note never — on the tracking page, the signed-in reporter's case page, /api/cases/{id} and
Open311, all through gridgov.cases.public."""

import pytest
from django.urls import reverse

from gridgov.cases import public
from gridgov.cases.actions import act
from gridgov.cases.models import State
from gridgov.cases.tests.factories import photo

pytestmark = pytest.mark.django_db

URGING_NOTE = "内部备注：该居民多次投诉，注意方式"
REPLY = "已清理占道摊位，恢复通行，欢迎监督"
REJECT_REASON = "不属于本镇受理范围，已告知转相关部门"


@pytest.fixture
def handled(world):
    """A case reported by the signed-in resident, urged with an internal note, handled with a
    public reply."""
    case = world.walk(world.report(world.resident), State.HANDLING)
    case, _ = act(case, "urge", actor=world.leader, note=URGING_NOTE)
    case, _ = act(case, "handle", actor=world.handler, note="内部：摊主态度差",
                  after_photos=[photo("after.jpg")], reply=REPLY)
    return case


def test_the_reporter_timeline_keeps_replies_and_drops_internal_notes(handled):
    events = public.reporter_events(handled)
    assert "urge" not in [e.action for e in events]
    assert all(e.note == "" for e in events)
    assert [e.reply for e in events if e.action == "handle"] == [REPLY]
    # Staff over the case read both, kept apart.
    handle = handled.events.get(action="handle")
    assert handle.note == "内部：摊主态度差" and handle.reply == REPLY


def test_tracking_page_shows_the_reply_not_the_urging_note(client, handled):
    page = client.get(reverse("cases:track_case", args=[handled.tracking_code])).content.decode()
    assert REPLY in page
    assert URGING_NOTE not in page and "摊主态度差" not in page and "督办" not in page


def test_signed_in_reporters_case_page_hides_internal_notes(client, world, handled):
    client.force_login(world.resident)
    response = client.get(reverse("cases:case_detail", args=[handled.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert REPLY in page and URGING_NOTE not in page and "摊主态度差" not in page


def test_staff_case_page_shows_note_and_reply(client, world, handled):
    client.force_login(world.operator)
    page = client.get(reverse("cases:case_detail", args=[handled.pk])).content.decode()
    assert URGING_NOTE in page and REPLY in page


def test_api_case_detail_for_the_reporter_has_no_internal_note(client, world, handled):
    client.force_login(world.resident)
    body = client.get(f"/api/cases/{handled.pk}").json()
    assert URGING_NOTE not in str(body) and "摊主态度差" not in str(body)
    assert [e["reply"] for e in body["events"] if e["action"] == "handle"] == [REPLY]
    assert all(e["note"] == "" for e in body["events"])
    assert "urge" not in [e["action"] for e in body["events"]]


def test_api_case_detail_for_staff_keeps_the_note(client, world, handled):
    client.force_login(world.operator)
    body = client.get(f"/api/cases/{handled.pk}").json()
    assert URGING_NOTE in [e["note"] for e in body["events"]]


def test_open311_publishes_the_latest_reply_never_a_note(client, world, handled):
    response = client.get(f"/open311/v2/requests/{handled.number}.json",
                          {"jurisdiction_id": f"{world.town.district_code}{world.town.code}"})
    assert response.status_code == 200
    [request] = response.json()
    assert request["status_notes"] == REPLY
    assert URGING_NOTE not in str(request) and "摊主态度差" not in str(request)


def test_a_reply_is_masked_for_the_public(world):
    case = world.walk(world.report(), State.HANDLING)
    case, _ = act(case, "handle", actor=world.handler, after_photos=[photo("after.jpg")],
                  reply="如有疑问请联系 138-1234-5678")
    assert public.latest_replies([case.pk])[case.pk] == "如有疑问请联系 ***"


def test_the_reason_for_rejecting_is_told_to_the_reporter(client, world):
    case = world.report()
    case, _ = act(case, "reject", actor=world.operator, note=REJECT_REASON)
    page = client.get(reverse("cases:track_case", args=[case.tracking_code])).content.decode()
    assert REJECT_REASON in page


# ----- the progress page (issue 12, item 5) ------------------------------------------------------

def test_progress_page_names_the_department_and_the_expected_date(client, world, handled):
    page = client.get(reverse("cases:track_case", args=[handled.tracking_code])).content.decode()
    assert world.enforcement.name in page
    assert 'id="replies"' in page and REPLY in page
    # One line per move in the reporter's words: never the label twice.
    assert "处置完毕 · 处置完毕" not in page
    assert f"{world.enforcement.name}处置完毕" in page


def test_receipt_and_page_give_the_expected_completion_from_the_category_limit(client, world):
    from django.utils import timezone

    from gridgov.cases import deadlines

    case = world.report()
    due = deadlines.compute(case.category, case.urgency, case.reported_at)[0]
    assert public.expected_completion(case) == due
    receipt = client.get(reverse("cases:track_case", args=[case.tracking_code]) + "?new=1")
    shown = timezone.localtime(due).strftime("%Y年%-m月%-d日")
    page = receipt.content.decode()
    assert 'id="receipt-expected"' in page and shown in page
    registered = world.walk(case, State.REGISTERED)
    assert public.expected_completion(registered) == registered.due_at
    assert public.expected_completion(world.walk(registered, State.CLOSED)) is None


def test_after_unsatisfied_the_page_says_what_happens_next(client, world):
    from gridgov.cases.actions import rate

    case = world.walk(world.report(), State.CLOSED)
    rate(case, satisfaction="unsatisfied", reason="摊贩又回来了", tracking_code=case.tracking_code)
    page = client.get(reverse("cases:track_case", args=[case.tracking_code])).content.decode()
    assert 'id="next-step"' in page and "复核" in page
    case.refresh_from_db()
    act(case, "confirm_review", actor=world.operator, note="内部：已电话沟通",
        reply="经复核，摊贩已取缔，如再出现请再次反映")
    page = client.get(reverse("cases:track_case", args=[case.tracking_code])).content.decode()
    assert 'id="next-step"' not in page and "经复核，维持办结" in page
    assert "经复核，摊贩已取缔" in page and "已电话沟通" not in page


def test_the_handling_forms_offer_the_public_reply_beside_the_note(client, world):
    case = world.walk(world.report(), State.HANDLING)
    client.force_login(world.handler)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'name="handle-reply"' in page and 'name="handle-note"' in page


def test_the_reporters_notices_carry_the_reply_never_the_internal_note(world):
    from gridgov.cases.actions import rate
    from gridgov.core.models import Notice

    case = world.walk(world.report(world.resident), State.CLOSED)
    rate(case, satisfaction="unsatisfied", reason="摊贩又回来了", actor=world.resident)
    case.refresh_from_db()
    act(case, "confirm_review", actor=world.operator, note="内部：此人反复投诉",
        reply="经复核摊位已取缔")
    [notice] = Notice.objects.filter(kind="cases.confirm_review", user=world.resident)
    assert notice.body.endswith("经复核维持办结：经复核摊位已取缔")
    assert "反复投诉" not in notice.body

    rejected = world.report(world.resident)
    act(rejected, "reject", actor=world.operator, note=REJECT_REASON)
    [notice] = Notice.objects.filter(kind="cases.reject", user=world.resident)
    assert notice.body.endswith(f"不予立案：{REJECT_REASON}")


def test_rating_from_the_case_page_answers_without_internal_notes(client, world, handled):
    case = world.walk(handled, State.CLOSED)
    client.force_login(world.resident)
    response = client.post(reverse("cases:case_action", args=[case.pk, "evaluate"]),
                           {"evaluate-satisfaction": "satisfied"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert REPLY in page and URGING_NOTE not in page and "摊主态度差" not in page
