import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gridgov.cases.actions import act
from gridgov.cases.models import Case, ExtensionStatus, State, Urgency
from gridgov.cases.tests.factories import CategoryFactory, photo

pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def travel(*args):
    return time_machine.travel(at(*args), tick=False)


def registered(world, when, **fields):
    with travel(*when):
        case = world.report(**fields)
        case, _ = act(case, "register", actor=world.operator)
    return case


def test_five_working_days_across_the_spring_festival_and_its_make_up_saturday(world):
    # Friday 2026-02-13: day 1 is the make-up Saturday 14th, the holiday runs 15th-23rd, days
    # 2-5 are 24th-27th. A Monday-to-Friday count would say Friday 20th, in the holiday.
    world.category.time_limit_days = 5
    world.category.save()
    case = registered(world, (2026, 2, 13, 10))
    assert case.due_at == at(2026, 2, 27, 18)
    # 47 office hours in all; the warning after three quarters of them (35.25 h).
    assert case.warn_at == at(2026, 2, 26, 14, 15)
    assert case.registered_at == at(2026, 2, 13, 10)


def test_three_working_days_across_national_day_end_on_the_make_up_saturday(world):
    world.category.time_limit_class, world.category.time_limit_days = "urging", 3
    world.category.save()
    case = registered(world, (2026, 9, 30, 10))
    assert case.due_at == at(2026, 10, 10, 18)


def test_urgent_cases_count_office_hours_over_the_weekend(world):
    lights = CategoryFactory(kind="component", major_code="02", minor_code="03",
                             name="交通信号灯", time_limit_class="urgent", time_limit_hours=4,
                             urgency=Urgency.URGENT)
    case = registered(world, (2026, 11, 27, 16), category=lights)  # a Friday
    assert case.urgency == Urgency.URGENT
    assert case.due_at == at(2026, 11, 30, 11)
    assert case.warn_at == at(2026, 11, 30, 10)


def test_emergencies_count_clock_hours_at_night(world):
    collapse = CategoryFactory(kind="event", major_code="04", minor_code="01", name="路面塌陷",
                               time_limit_class="urgent", time_limit_hours=2,
                               urgency=Urgency.URGENT)
    case = registered(world, (2026, 11, 28, 22), category=collapse)  # a Saturday night
    assert case.due_at == at(2026, 11, 29, 0)
    assert case.warn_at == at(2026, 11, 28, 23, 30)


def test_the_operator_may_downgrade_urgency_at_registration(world):
    lights = CategoryFactory(kind="component", major_code="02", minor_code="03",
                             name="交通信号灯", time_limit_class="urgent", time_limit_days=1,
                             time_limit_hours=4, urgency=Urgency.URGENT)
    with travel(2026, 11, 23, 10):
        case = world.report(category=lights)
        case, event = act(case, "register", actor=world.operator, urgency=Urgency.NORMAL)
    assert case.due_at == at(2026, 11, 24, 18)
    assert event.data["urgency"] == Urgency.NORMAL


def test_suspension_stops_the_clock_and_resuming_shifts_the_deadline(world):
    case = registered(world, (2026, 11, 23, 10))  # Monday; 5 days: Monday 30th 18:00
    assert case.due_at == at(2026, 11, 30, 18)
    with travel(2026, 11, 24, 10):
        case, _ = act(case, "suspend", actor=world.operator, note="等待统筹")
    assert (case.state, case.clock_paused_at) == (State.SUSPENDED, at(2026, 11, 24, 10))
    assert case.deadline_light(at(2026, 12, 25, 10)) == "paused"
    assert not Case.objects.overdue(at(2026, 12, 25)).filter(pk=case.pk).exists()
    with travel(2026, 11, 26, 10):
        case, event = act(case, "resume", actor=world.operator)
    # Two office days (16 h) stood still: the deadline moves two working days later.
    assert case.state == State.REGISTERED and case.clock_paused_at is None
    assert case.due_at == at(2026, 12, 2, 18)
    assert case.paused_hours == 16
    assert event.data["paused_hours"] == 16


def test_resume_returns_to_the_state_it_was_suspended_from(world):
    case = world.walk(world.report(), State.HANDLING)
    case, _ = act(case, "suspend", actor=world.operator, note="等待统筹")
    assert case.state_before_suspension == State.HANDLING
    case, event = act(case, "resume", actor=world.operator)
    assert (case.state, event.from_state, event.to_state) == (State.HANDLING, "suspended", "handling")


def handling(world, when):
    with travel(*when):
        case = world.walk(world.report(), State.HANDLING)
    return case


def test_an_approved_extension_adds_the_days_and_the_waiting_time(world):
    case = handling(world, (2026, 11, 23, 10))
    assert case.due_at == at(2026, 11, 30, 18)
    with travel(2026, 11, 24, 10):
        case, _ = act(case, "request_extension", actor=world.handler, working_days=3,
                      note="需要协调供电公司")
    assert case.clock_paused_at == at(2026, 11, 24, 10)
    request = case.extension_requests.get()
    assert (request.status, request.working_days) == (ExtensionStatus.PENDING, 3)
    with travel(2026, 11, 25, 10):
        case, _ = act(case, "approve_extension", actor=world.operator)
    # One office day waiting (Monday 30th -> Tuesday 1st), then three more working days.
    assert case.due_at == at(2026, 12, 4, 18)
    assert case.clock_paused_at is None and case.paused_hours == 8
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (ExtensionStatus.APPROVED, world.operator)


def test_an_extension_across_mid_autumn_and_national_day(world):
    # Friday 2026-09-25 is the Mid-Autumn Festival; 1-7 October is National Day.
    case = handling(world, (2026, 9, 21, 10))
    assert case.due_at == at(2026, 9, 29, 18)
    with travel(2026, 9, 29, 9):
        case, _ = act(case, "request_extension", actor=world.handler, working_days=2,
                      note="节前材料不齐")
        case, _ = act(case, "approve_extension", actor=world.operator)
    assert case.due_at == at(2026, 10, 8, 18)


def test_a_refused_extension_still_credits_the_waiting_time(world):
    case = handling(world, (2026, 11, 23, 10))
    with travel(2026, 11, 24, 10):
        case, _ = act(case, "request_extension", actor=world.handler, working_days=3, note="x")
    with travel(2026, 11, 24, 15):
        case, _ = act(case, "refuse_extension", actor=world.operator, note="可以按期完成")
    assert case.due_at == at(2026, 12, 1, 14)  # four office hours later
    assert case.extension_requests.get().status == ExtensionStatus.REFUSED


def test_no_second_request_while_one_waits_and_no_decision_without_one(world):
    from gridgov.core.workflow import WorkflowError

    case = handling(world, (2026, 11, 23, 10))
    with pytest.raises(WorkflowError) as refused:
        act(case, "approve_extension", actor=world.operator)
    assert refused.value.code == "no_pending_extension"
    case, _ = act(case, "request_extension", actor=world.handler, working_days=1, note="x")
    for action, actor, data in [
        ("request_extension", world.handler, {"working_days": 1, "note": "again"}),
        ("suspend", world.operator, {"note": "挂账"}),
        ("return", world.handler, {"note": "退单"}),
    ]:
        with pytest.raises(WorkflowError) as refused:
            act(case, action, actor=actor, **data)
        assert refused.value.code == "extension_pending"


@pytest.mark.parametrize("days", [0, 31, "three"])
def test_extension_days_are_checked(world, days):
    from gridgov.core.workflow import WorkflowError

    case = world.walk(world.report(), State.HANDLING)
    with pytest.raises(WorkflowError) as refused:
        act(case, "request_extension", actor=world.handler, working_days=days, note="x")
    assert (refused.value.code, refused.value.field) == ("bad_working_days", "working_days")


def test_handling_while_an_extension_waits_withdraws_it(world):
    case = handling(world, (2026, 11, 23, 10))
    with travel(2026, 11, 24, 10):
        case, _ = act(case, "request_extension", actor=world.handler, working_days=3, note="x")
    with travel(2026, 11, 24, 12):
        case, _ = act(case, "handle", actor=world.handler, after_photos=[photo()])
    assert case.clock_paused_at is None and case.paused_hours == 2
    assert case.extension_requests.get().status == ExtensionStatus.WITHDRAWN


def test_closing_records_on_time_and_working_hours_without_the_pauses(world):
    case = registered(world, (2026, 11, 23, 10))
    with travel(2026, 11, 23, 11):
        case, _ = act(case, "dispatch", actor=world.operator)
        case, _ = act(case, "accept", actor=world.handler)
    with travel(2026, 11, 24, 10):
        case, _ = act(case, "suspend", actor=world.operator, note="x")
    with travel(2026, 11, 25, 10):
        case, _ = act(case, "resume", actor=world.operator)
    with travel(2026, 11, 26, 10):
        case, _ = act(case, "handle", actor=world.handler, after_photos=[photo()])
        case, _ = act(case, "verify", actor=world.grid_staff)
    with travel(2026, 11, 27, 9):
        case, event = act(case, "close", actor=world.operator)
    # Registration to 处置完毕: 7 + 8 + 8 + 1 = 24 office hours, 8 of them suspended.
    assert case.handling_hours == 16
    assert case.closed_on_time is True
    assert event.data == {"closed_on_time": True, "handling_hours": 16}


def test_a_case_closed_after_its_deadline_is_late(world):
    case = registered(world, (2026, 11, 23, 10))
    with travel(2026, 12, 1, 9):
        assert case.is_overdue(at(2026, 12, 1, 9))
        assert case.deadline_light(at(2026, 12, 1, 9)) == "red"
        assert Case.objects.overdue(at(2026, 12, 1, 9)).filter(pk=case.pk).exists()
        for action, actor, data in [("dispatch", world.operator, {}), ("accept", world.handler, {}),
                                    ("handle", world.handler, {"after_photos": [photo()]}),
                                    ("verify", world.operator, {}), ("close", world.operator, {})]:
            case, _ = act(case, action, actor=actor, **data)
    assert case.closed_on_time is False


def test_traffic_lights(world):
    case = registered(world, (2026, 11, 23, 10))
    assert case.deadline_light(at(2026, 11, 24, 9)) == "green"
    assert case.deadline_light(case.warn_at) == "yellow"
    assert case.deadline_light(at(2026, 11, 30, 18, 1)) == "red"


def test_a_return_gives_no_new_time(world):
    case = registered(world, (2026, 11, 23, 10))
    due = case.due_at
    with travel(2026, 11, 25, 10):
        case, _ = act(case, "dispatch", actor=world.operator)
        case, event = act(case, "return", actor=world.handler, note="不属于本部门")
        assert (case.state, case.department, case.return_count) == (State.REGISTERED, None, 1)
        assert event.department == world.enforcement
        case, _ = act(case, "dispatch", actor=world.operator, department=world.market)
    assert case.due_at == due


def test_reopening_starts_a_new_time_limit_and_the_closed_time_does_not_count(world):
    case = registered(world, (2026, 11, 23, 10))
    with travel(2026, 11, 23, 14):
        case = world.walk(case, State.CLOSED)
    with travel(2026, 11, 25, 14):
        case, _ = act(case, "reopen", actor=world.operator, note="居民反映问题复发")
    assert case.state == State.REGISTERED
    assert (case.closed_at, case.closed_on_time, case.handling_hours) == (None, None, None)
    assert case.due_at == at(2026, 12, 2, 18)
    assert case.paused_hours == 16
