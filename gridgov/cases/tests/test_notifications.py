import logging

import pytest
from django.contrib.auth.models import AnonymousUser

from gridgov.cases import notifications
from gridgov.cases.actions import act, rate
from gridgov.cases.models import Case, State
from gridgov.cases.notifications import MemoryBackend, Notice
from gridgov.cases.tests.factories import photo

pytestmark = pytest.mark.django_db


def sent(kind=None):
    return [(n.kind, n.user_id or n.phone) for n in MemoryBackend.outbox
            if kind is None or n.kind == kind]


def test_nothing_leaves_before_the_commit(world, django_capture_on_commit_callbacks):
    case = world.report()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        act(case, "register", actor=world.operator)
    assert len(callbacks) == 1
    assert sent() == []
    callbacks[0]()
    assert sent() == [("register", world.resident.pk)]


def test_each_event_reaches_the_people_it_concerns(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = world.walk(world.report(), State.DISPATCHED)
    assert sent("dispatch") == [("dispatch", world.handler.pk)]  # not the 市场监管所
    assert "请于" in MemoryBackend.outbox[-1].text

    with django_capture_on_commit_callbacks(execute=True):
        act(case, "escalate", actor=world.grid_staff, departments=[world.market.pk])
        act(case, "urge", actor=world.leader, note="请今天处理")
        case, _ = act(case, "accept", actor=world.handler)
        act(case, "handle", actor=world.handler,
            after_photos=[photo()])
    assert sent("escalate") == [("escalate", world.market_handler.pk)]
    assert set(sent("urge")) == {("urge", world.handler.pk), ("urge", world.market_handler.pk)}
    assert sent("accept") == [("accept", world.resident.pk)]
    assert set(sent("handle")) == {("handle", world.grid_staff.pk), ("handle", world.operator.pk)}


def test_no_one_is_told_about_their_own_action(world, django_capture_on_commit_callbacks):
    case = world.walk(world.report(), State.HANDLING)
    with django_capture_on_commit_callbacks(execute=True):
        act(case, "return", actor=world.handler, note="不属于本部门")
    assert sent("return") == [("return", world.operator.pk)]
    MemoryBackend.outbox.clear()
    case = world.report(actor=world.operator, source="hotline")
    with django_capture_on_commit_callbacks(execute=True):
        act(case, "register", actor=world.operator)
    assert sent() == []


def test_a_reporter_without_account_hears_by_phone_and_an_anonymous_one_not_at_all(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        by_phone = world.report(actor=AnonymousUser(), reporter_phone="13912345678")
        anonymous = world.report(actor=AnonymousUser(), is_anonymous=True)
    assert sent("report") == [("report", "13912345678")]
    assert by_phone.tracking_code in MemoryBackend.outbox[0].text
    with django_capture_on_commit_callbacks(execute=True):
        act(anonymous, "register", actor=world.operator)
    assert sent("register") == []


def test_only_an_unsatisfied_rating_goes_to_the_supervisors(world, django_capture_on_commit_callbacks):
    happy = world.walk(world.report(), State.CLOSED)
    unhappy = world.walk(world.report(), State.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        rate(happy, satisfaction="satisfied", tracking_code=happy.tracking_code)
        rated = rate(unhappy, satisfaction="unsatisfied", reason="摊位第二天又来了",
                     tracking_code=unhappy.tracking_code)
    assert rated.needs_review
    assert sent("evaluate") == [("evaluate", world.operator.pk)]
    assert "摊位第二天又来了" in MemoryBackend.outbox[-1].text


def test_unsatisfied_needs_a_reason(world):
    from gridgov.core.workflow import WorkflowError

    case = world.walk(world.report(), State.CLOSED)
    with pytest.raises(WorkflowError) as refused:
        rate(case, satisfaction="unsatisfied", tracking_code=case.tracking_code)
    assert (refused.value.code, refused.value.field) == ("required", "reason")


class Broken:
    def send(self, notices):
        raise ConnectionError("SMS gateway down")


def test_a_failing_sender_is_logged_and_never_undoes_the_move(
    world, settings, caplog, django_capture_on_commit_callbacks
):
    settings.GRIDGOV_NOTIFICATION_BACKEND = f"{__name__}.Broken"
    case = world.report()
    with caplog.at_level(logging.ERROR, logger="gridgov.cases.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            moved, _ = act(case, "register", actor=world.operator)
    assert Case.objects.get(pk=case.pk).state == State.REGISTERED
    assert "notifications for case event" in caplog.text
    assert "SMS gateway down" in caplog.text


def test_console_and_log_backends_mask_phone_numbers(capsys, caplog):
    notice = Notice("report", 1, "XJ20261123000001", "已收到", phone="13912345678")
    notifications.ConsoleBackend().send([notice])
    assert "139****5678" in capsys.readouterr().out
    with caplog.at_level(logging.INFO, logger="gridgov.cases.notifications"):
        notifications.LogBackend().send([notice])
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text
