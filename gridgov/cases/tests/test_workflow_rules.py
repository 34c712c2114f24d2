"""What the transitions do beyond moving the state."""

import pytest

from gridgov.cases.actions import act, allowed_actions, rate
from gridgov.cases.models import CaseParticipant, Source, State
from gridgov.cases.tests.factories import CategoryFactory, photo
from gridgov.core.workflow import WorkflowError
from gridgov.grids.models import DepartmentKind

pytestmark = pytest.mark.django_db


def refused(case, action, actor, **data) -> WorkflowError:
    with pytest.raises(WorkflowError) as info:
        act(case, action, actor=actor, **data)
    return info.value


def test_dispatch_defaults_to_the_department_of_the_category_serving_the_community(world):
    upkeep = CategoryFactory(name="楼道设施", department_kind=DepartmentKind.PROPERTY)
    in_a = world.walk(world.report(category=upkeep), State.REGISTERED)
    case, event = act(in_a, "dispatch", actor=world.operator)
    assert case.department == world.property_a == event.department
    assert event.data["department_name"] == world.property_a.name
    # Community b has no 物业 on record: the operator must choose.
    in_b = world.walk(world.report(category=upkeep, grid=world.grid_b1), State.REGISTERED)
    error = refused(in_b, "dispatch", world.operator)
    assert (error.code, error.field) == ("no_department", "department")


def test_dispatch_only_to_a_department_of_the_town(world):
    case = world.walk(world.report(), State.REGISTERED)
    error = refused(case, "dispatch", world.operator, department=world.other_department.pk)
    assert (error.code, error.field) == ("bad_department", "department")
    case, _ = act(case, "dispatch", actor=world.operator, department=world.market.pk)
    error = refused(case, "dispatch", world.operator, department=world.market.pk)
    assert error.code == "same_department"


def test_registration_may_correct_the_category_and_restarts_nothing_else(world):
    other = CategoryFactory(name="跨门营业", time_limit_days=3)
    case, event = act(world.report(), "register", actor=world.operator, category=other.pk)
    assert case.category == other and event.data["category"] == other.pk
    error = refused(world.report(), "register", world.operator, category=999999)
    assert (error.code, error.field) == ("bad_category", "category")


def test_required_inputs_are_named(world):
    case = world.report()
    error = refused(case, "reject", world.operator)
    assert (error.code, error.field, error.message) == ("required", "note", "请填写说明")
    handling = world.walk(world.report(), State.HANDLING)
    error = refused(handling, "handle", world.handler)
    assert (error.code, error.field) == ("required", "after_photos")


def test_escalation_calls_departments_in_and_they_report_in(world):
    case = world.walk(world.report(), State.DISPATCHED)
    case, event = act(case, "escalate", actor=world.grid_staff, departments=[world.market.pk],
                      note="需市场监管所一同处置")
    participant = CaseParticipant.objects.get(case=case)
    assert participant.department == world.market and participant.reported_at is None
    assert event.data["department_names"] == [world.market.name]
    # The 市场监管所 now sees the case and may report in, once.
    from gridgov.cases.models import Case

    assert Case.objects.visible_to(world.market_handler).filter(pk=case.pk).exists()
    assert [t.action for t in allowed_actions(case, world.market_handler)] == ["report_in"]
    act(case, "report_in", actor=world.market_handler)
    participant.refresh_from_db()
    assert participant.reported_at is not None
    assert allowed_actions(case, world.market_handler) == []
    assert refused(case, "escalate", world.grid_staff, departments=[world.market.pk]).code == (
        "already_called")
    error = refused(case, "escalate", world.grid_staff, departments=[world.other_department.pk])
    assert (error.code, error.field) == ("bad_department", "departments")


def test_failed_verification_sends_it_back_for_rework(world):
    case = world.walk(world.report(), State.HANDLED)
    case, _ = act(case, "fail_verification", actor=world.grid_staff, note="摊位还在",
                  photos=[photo()])
    assert (case.state, case.rework_count, case.handled_at) == (State.HANDLING, 1, None)
    assert case.photos.filter(phase="after", event__action="fail_verification").count() == 1


def test_an_unsatisfied_rating_is_reviewed_then_confirmed_or_reopened(world):
    case = world.walk(world.report(), State.CLOSED)
    case = rate(case, satisfaction="unsatisfied", reason="摊位又回来了",
                tracking_code=case.tracking_code)
    assert case.needs_review and case.satisfaction_reason == "摊位又回来了"
    assert {"confirm_review", "reopen"} <= {t.action for t in allowed_actions(case, world.operator)}
    case, _ = act(case, "confirm_review", actor=world.operator, note="已电话回访解释")
    assert not case.needs_review
    assert refused(case, "confirm_review", world.operator, note="again").code == "no_review"

    case, _ = act(case, "reopen", actor=world.operator, note="复查后重新办理")
    assert case.state == State.REGISTERED and case.satisfaction == ""
    case = world.walk(case, State.EVALUATED)
    assert case.satisfaction == "satisfied"


def test_a_bad_satisfaction_value_is_refused(world):
    case = world.walk(world.report(), State.CLOSED)
    with pytest.raises(WorkflowError) as info:
        rate(case, satisfaction="great", tracking_code=case.tracking_code)
    assert (info.value.code, info.value.field) == ("bad_satisfaction", "satisfaction")


def test_self_handled_cases_are_sampled_once(world):
    case = world.report(world.grid_staff, source=Source.PATROL, photos=[photo()],
                        self_handled=True, after_photos=[photo()])
    assert "sample_verify" in {t.action for t in allowed_actions(case, world.operator)}
    case, _ = act(case, "sample_verify", actor=world.operator, note="抽查属实")
    assert case.sample_checked_at is not None and case.state == State.CLOSED
    assert refused(case, "sample_verify", world.operator).code == "not_sampled"
    ordinary = world.walk(world.report(), State.CLOSED)
    assert "sample_verify" not in {t.action for t in allowed_actions(ordinary, world.operator)}


def test_self_handling_needs_a_before_photo(world):
    case = world.report(world.grid_staff, source=Source.PATROL)
    error = refused(case, "self_handle", world.grid_staff, after_photos=[photo()])
    assert (error.code, error.field) == ("required", "photos")


def test_urging_leaves_the_state_and_writes_an_event(world):
    case = world.walk(world.report(), State.HANDLING)
    case, event = act(case, "urge", actor=world.leader, note="群众反映强烈，请今日处置")
    assert case.state == State.HANDLING
    assert (event.from_state, event.to_state, event.note) == (
        State.HANDLING, State.HANDLING, "群众反映强烈，请今日处置")
