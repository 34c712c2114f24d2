import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from gridgov.cases.actions import act, rate
from gridgov.cases.models import Case, State
from gridgov.cases.tests.factories import notices as sent
from gridgov.cases.tests.factories import photo
from gridgov.core import notify
from gridgov.core.models import Notice

pytestmark = pytest.mark.django_db


def test_a_notice_is_written_in_the_moves_transaction_and_leaves_only_with_the_tick(world):
    case = world.report()
    act(case, "register", actor=world.operator)  # inside the test's transaction: no commit
    assert sent("register") == [("register", world.resident.pk)]
    notice = Notice.objects.get(kind="cases.register")
    assert (notice.object_type, notice.object_id) == ("cases.case", str(case.pk))
    assert notice.sent_at is None and notice.next_attempt_at is not None
    assert notify.deliver()["sent"] >= 1
    notice.refresh_from_db()
    assert notice.sent_at is not None


def test_a_move_rolled_back_leaves_no_notice(world):
    case = world.report()
    Notice.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        act(case, "register", actor=world.operator)
        raise RuntimeError("the request failed after the move")
    assert Case.objects.get(pk=case.pk).state == State.REPORTED
    assert not Notice.objects.exists()


def test_each_event_reaches_the_people_it_concerns(world):
    case = world.walk(world.report(), State.DISPATCHED)
    assert sent("dispatch") == [("dispatch", world.handler.pk)]  # not the 市场监管所
    assert "请于" in Notice.objects.get(kind="cases.dispatch").body

    act(case, "escalate", actor=world.grid_staff, departments=[world.market.pk])
    act(case, "urge", actor=world.leader, note="请今天处理")
    case, _ = act(case, "accept", actor=world.handler)
    act(case, "handle", actor=world.handler, after_photos=[photo()])
    assert sent("escalate") == [("escalate", world.market_handler.pk)]
    assert set(sent("urge")) == {("urge", world.handler.pk), ("urge", world.market_handler.pk)}
    assert sent("accept") == [("accept", world.resident.pk)]
    assert set(sent("handle")) == {("handle", world.grid_staff.pk), ("handle", world.operator.pk)}


def test_no_one_is_told_about_their_own_action(world):
    case = world.walk(world.report(), State.HANDLING)
    act(case, "return", actor=world.handler, note="不属于本部门")
    assert sent("return") == [("return", world.operator.pk)]
    Notice.objects.all().delete()
    case = world.report(actor=world.operator, source="hotline")
    act(case, "register", actor=world.operator)
    assert sent() == []


def test_a_reporter_without_account_hears_by_phone_and_an_anonymous_one_not_at_all(world):
    by_phone = world.report(actor=AnonymousUser(), reporter_phone="13912345678")
    anonymous = world.report(actor=AnonymousUser(), is_anonymous=True)
    assert sent("report") == [("report", "13912345678")]
    assert by_phone.tracking_code in Notice.objects.get(kind="cases.report").body
    act(anonymous, "register", actor=world.operator)
    assert sent("register") == []


def test_only_an_unsatisfied_rating_goes_to_the_supervisors(world):
    happy = world.walk(world.report(), State.CLOSED)
    unhappy = world.walk(world.report(), State.CLOSED)
    rate(happy, satisfaction="satisfied", tracking_code=happy.tracking_code)
    rated = rate(unhappy, satisfaction="unsatisfied", reason="摊位第二天又来了",
                 tracking_code=unhappy.tracking_code)
    assert rated.needs_review
    assert sent("evaluate") == [("evaluate", world.operator.pk)]
    assert "摊位第二天又来了" in Notice.objects.get(kind="cases.evaluate").body


def test_unsatisfied_needs_a_reason(world):
    from gridgov.core.workflow import WorkflowError

    case = world.walk(world.report(), State.CLOSED)
    with pytest.raises(WorkflowError) as refused:
        rate(case, satisfaction="unsatisfied", tracking_code=case.tracking_code)
    assert (refused.value.code, refused.value.field) == ("required", "reason")


class Broken:
    def send(self, notice):
        raise ConnectionError("SMS gateway down")


def test_a_failing_sender_never_undoes_the_move_and_is_tried_again(world, settings):
    settings.GRIDGOV_NOTICE_SENDERS = {"sms": f"{__name__}.Broken"}
    settings.GRIDGOV_NOTICE_CHANNELS = ["sms"]
    case = world.report()
    act(case, "register", actor=world.operator)
    assert notify.deliver() == {"sent": 0, "retrying": 1, "given_up": 0}
    assert Case.objects.get(pk=case.pk).state == State.REGISTERED
    notice = Notice.objects.get(kind="cases.register")
    assert notice.last_error == "ConnectionError: SMS gateway down"
    assert notice.attempts == 1 and notice.next_attempt_at is not None
