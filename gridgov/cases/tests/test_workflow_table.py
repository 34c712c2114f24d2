"""Every transition of the table, legal and illegal, for every role and scope of the world.

The expected actors are written out here by hand, not read back from the table: a wrong row in
workflow.py must make a test fail.
"""

import pytest

from gridgov.cases.actions import act, allowed_actions, rate
from gridgov.cases.models import Case, CaseEvent, Source, State
from gridgov.cases.tests.factories import CaseWorld, photo
from gridgov.cases.workflow import TRANSITIONS, TrackingCodeHolder
from gridgov.core.workflow import NEW
from gridgov.core.models import AuditEntry
from gridgov.core.workflow import WorkflowError

pytestmark = pytest.mark.django_db

# Who may run each action on a case reported in grid a1 (community a) of the world and
# dispatched to its 综合行政执法队; "resident" is the reporter. report_in is for the 市场监管所,
# called in by escalation first. The administrator, the deputy and party affairs (党建办) of the
# town take no step of the loop.
EXPECTED = {
    "register": {"operator"},
    "reject": {"operator"},
    "self_handle": {"grid_staff"},
    "merge": {"operator"},
    "dispatch": {"operator"},
    "accept": {"handler"},
    "return": {"handler"},
    "request_extension": {"handler"},
    "approve_extension": {"operator"},
    "refuse_extension": {"operator"},
    "suspend": {"operator"},
    "resume": {"operator"},
    "urge": {"operator", "leader"},
    "escalate": {"operator", "grid_staff"},
    "report_in": {"market_handler"},
    "handle": {"handler"},
    "verify": {"operator", "grid_staff"},
    "fail_verification": {"operator", "grid_staff"},
    "close": {"operator"},
    "evaluate": {"operator", "resident"},
    "confirm_review": {"operator"},
    "reopen": {"operator"},
    "sample_verify": {"operator"},
}

# The state each action leads to (None: the state stays; resume goes back where it was).
TARGETS = {
    "register": State.REGISTERED, "reject": State.REJECTED, "self_handle": State.CLOSED,
    "merge": State.MERGED, "dispatch": State.DISPATCHED, "accept": State.HANDLING,
    "return": State.REGISTERED, "handle": State.HANDLED, "verify": State.VERIFIED,
    "fail_verification": State.HANDLING, "close": State.CLOSED, "evaluate": State.EVALUATED,
    "reopen": State.REGISTERED, "suspend": State.SUSPENDED, "resume": State.REGISTERED,
}


def data_for(world, action):
    return {
        "reject": {"note": "不属于受理范围"},
        "return": {"note": "不属于本部门职责"},
        "suspend": {"note": "需统筹解决"},
        "refuse_extension": {"note": "可以按期完成"},
        "fail_verification": {"note": "现场仍有摊位"},
        "confirm_review": {"note": "已电话解释"},
        "reopen": {"note": "复核后重新办理"},
        "request_extension": {"working_days": 2, "note": "需协调多个部门"},
        "escalate": {"departments": [world.market.pk]},
        "dispatch": {"department": world.market.pk},
        "handle": {"after_photos": [photo("after.jpg")]},
        "self_handle": {"after_photos": [photo("after.jpg")]},
        "evaluate": {"satisfaction": "satisfied"},
    }.get(action, {})


def prepare(world: CaseWorld, action: str, state: str) -> tuple[Case, dict]:
    """A fresh case in `state`, meeting what `action` needs beyond its state."""
    data = data_for(world, action)
    if action in ("self_handle", "sample_verify"):
        case = world.report(world.grid_staff, source=Source.PATROL, photos=[photo()])
        if action == "sample_verify":
            case, _ = act(case, "self_handle", actor=world.grid_staff,
                          after_photos=[photo("after.jpg")])
            if state == State.EVALUATED:
                case, _ = act(case, "evaluate", actor=world.operator, satisfaction="satisfied")
        return case, data
    if action == "confirm_review":
        case = world.walk(world.report(), State.CLOSED)
        return rate(case, satisfaction="unsatisfied", reason="摊位又回来了",
                    tracking_code=case.tracking_code), data
    case = world.walk(world.report(), state)
    if action in ("approve_extension", "refuse_extension"):
        case, _ = act(case, "request_extension", actor=world.handler, working_days=2,
                      note="需协调")
    elif action == "report_in":
        case, _ = act(case, "escalate", actor=world.operator, departments=[world.market.pk])
    elif action == "merge":
        data = {"into": world.report()}
    return case, data


# The moves people make (reporting is tested in test_intake, the sweep's in test_tick).
MOVES = [t for t in TRANSITIONS if NEW not in t.sources and not t.system]
DONE = {t.action: t.done for t in MOVES}
CASES = [
    (t.action, state)
    for t in MOVES
    for state in sorted(t.sources)
]


@pytest.mark.parametrize(("action", "state"), CASES)
def test_each_legal_move_is_allowed_exactly_to_the_expected_actors(world, action, state):
    for name, user in world.users().items():
        case, data = prepare(world, action, state)
        allowed = action in {t.action for t in allowed_actions(case, user)}
        events_before = CaseEvent.objects.filter(case=case).count()
        audits = AuditEntry.objects.filter(action=f"cases.case.{DONE[action]}",
                                           object_id=str(case.pk))
        audits_before = audits.count()
        if name in EXPECTED[action]:
            assert allowed, f"{name} should be offered {action} in {state}"
            moved, event = act(case, action, actor=user, **data)
            assert event.action == action and event.actor == user
            assert event.from_state == state and event.to_state == moved.state
            if action in TARGETS and action != "resume":
                assert moved.state == TARGETS[action]
            assert Case.objects.get(pk=case.pk).state == moved.state
            assert audits.count() == audits_before + 1
            assert audits.latest("pk").actor == user
        else:
            assert not allowed, f"{name} must not be offered {action} in {state}"
            with pytest.raises(WorkflowError) as refused:
                act(case, action, actor=user, **data)
            assert refused.value.code == "forbidden"
            assert refused.value.message == "您没有权限对此执行该操作"
            assert Case.objects.get(pk=case.pk).state == state
            assert CaseEvent.objects.filter(case=case).count() == events_before


ALL_STATES = list(State.values)


@pytest.fixture
def one_case_per_state(world):
    cases = {state: world.walk(world.report(), state)
             for state in ALL_STATES if state != State.MERGED}
    duplicate = world.report()
    cases[State.MERGED], _ = act(duplicate, "merge", actor=world.operator,
                                 into=cases[State.REGISTERED])
    return cases


@pytest.mark.parametrize("action", sorted({t.action for t in MOVES}))
def test_each_move_is_refused_in_every_other_state_whoever_asks(world, one_case_per_state, action):
    from gridgov.grids.tests.factories import UserFactory

    everyone = {**world.users(), "superuser": UserFactory(is_superuser=True),
                "code holder": None}
    legal = set().union(*(t.sources for t in MOVES if t.action == action))
    for state, case in one_case_per_state.items():
        if state in legal:
            continue
        for name, user in everyone.items():
            user = user or TrackingCodeHolder(case.tracking_code)
            assert action not in {t.action for t in allowed_actions(case, user)}, name
            with pytest.raises(WorkflowError) as refused:
                act(case, action, actor=user, **data_for(world, action))
            assert refused.value.code == "illegal_transition", (name, state)
            assert refused.value.field == "action"
            assert "当前状态" in refused.value.message
        assert Case.objects.get(pk=case.pk).state == state


def test_an_unknown_action_is_refused_by_name(world):
    case = world.report()
    with pytest.raises(WorkflowError) as refused:
        act(case, "teleport", actor=world.operator)
    assert (refused.value.code, refused.value.field) == ("unknown_action", "action")


def test_community_scoped_staff_act_in_their_community_only(world):
    in_b = world.report(grid=world.grid_b1)
    assert "register" in {t.action for t in allowed_actions(in_b, world.operator_b)}
    moved, _ = act(in_b, "register", actor=world.operator_b)
    assert moved.state == State.REGISTERED
    in_a = world.report()
    assert allowed_actions(in_a, world.operator_b) == []
    with pytest.raises(WorkflowError) as refused:
        act(in_a, "register", actor=world.operator_b)
    assert refused.value.code == "forbidden"


def test_grid_staff_of_a_community_verify_in_every_grid_of_it(world):
    case = world.walk(world.report(grid=world.grid_b1), State.HANDLED)
    assert "verify" in {t.action for t in allowed_actions(case, world.grid_staff_b)}
    assert "verify" not in {t.action for t in allowed_actions(case, world.grid_staff)}
    moved, _ = act(case, "verify", actor=world.grid_staff_b)
    assert moved.state == State.VERIFIED


def test_the_reporter_rates_by_tracking_code_and_a_wrong_code_is_refused(world):
    case = world.walk(world.report(actor=world.resident), State.CLOSED)
    with pytest.raises(WorkflowError) as refused:
        rate(case, satisfaction="satisfied", tracking_code="WRONGCODE2")
    assert refused.value.code == "forbidden"
    assert [t.action for t in allowed_actions(case, TrackingCodeHolder(case.tracking_code))] == [
        "evaluate"
    ]
    rated = rate(case, satisfaction="basically", tracking_code=case.tracking_code.lower())
    assert (rated.state, rated.satisfaction) == (State.EVALUATED, "basically")
    event = rated.events.get(action="evaluate")
    assert event.actor is None and event.actor_label == "查询码持有人"


def test_another_residents_account_cannot_rate(world):
    from gridgov.grids.tests.factories import UserFactory

    case = world.walk(world.report(), State.CLOSED)
    with pytest.raises(WorkflowError) as refused:
        rate(case, satisfaction="satisfied", actor=UserFactory())
    assert refused.value.code == "forbidden"


def test_only_the_finder_handles_a_patrol_case_on_the_spot(world):
    from gridgov.accounts.roles import Role
    from gridgov.grids.tests.factories import staff

    colleague = staff(Role.GRID_STAFF, world.grid_a1)
    case = world.report(world.grid_staff, source=Source.PATROL, photos=[photo()])
    with pytest.raises(WorkflowError) as refused:
        act(case, "self_handle", actor=colleague, after_photos=[photo()])
    assert refused.value.code == "forbidden"
