"""The alliance's rules, called through the actions: cancel deadlines and the waiting list,
check-in rules, hours only from check-in and check-out, audited corrections, minors' consent."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gridgov.core.errors import Refusal
from gridgov.core.models import AuditEntry, Notice
from gridgov.volunteers import actions, ledger, tokens
from gridgov.volunteers.models import SignupState, Volunteer, VolunteerState, YearHours
from gridgov.volunteers.tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World.build()


def at(activity, minutes):
    """A moment relative to the activity's start."""
    return time_machine.travel(activity.starts_at + dt.timedelta(minutes=minutes), tick=False)


# ----- capacity, waiting list, cancel deadlines ------------------------------------------------

def test_a_full_activity_puts_the_next_on_the_waiting_list_then_refuses(world):
    activity = world.activity(capacity=1, waitlist_limit=1)
    assert world.signed_up(activity).state == SignupState.CONFIRMED
    assert world.signed_up(activity).state == SignupState.WAITING
    with pytest.raises(Refusal) as refused:
        world.signed_up(activity)
    assert refused.value.code == "full"


def test_cancelling_before_the_deadline_promotes_the_first_waiting_and_tells_them(world):
    activity = world.activity(capacity=1, waitlist_limit=3)
    first = world.signed_up(activity)
    queued = [world.signed_up(activity) for _ in range(2)]
    actions.act(first, "cancel", actor=first.volunteer.user)
    queued[0].refresh_from_db()
    queued[1].refresh_from_db()
    activity.refresh_from_db()
    assert (queued[0].state, queued[1].state) == (SignupState.CONFIRMED, SignupState.WAITING)
    assert (activity.confirmed_count, activity.waiting_count) == (1, 1)
    notice = Notice.objects.get(kind="volunteers.promoted")
    assert notice.user_id == queued[0].volunteer.user_id and activity.title in notice.body
    assert queued[0].events.filter(action="promote", actor=None).exists()


def test_cancelling_after_the_deadline_is_refused(world):
    activity = world.activity()
    signup = world.signed_up(activity)
    with time_machine.travel(activity.cancel_deadline + dt.timedelta(minutes=1), tick=False):
        with pytest.raises(Refusal) as refused:
            actions.act(signup, "cancel", actor=signup.volunteer.user)
    assert refused.value.code == "cancel_deadline_passed"
    signup.refresh_from_db()
    assert signup.state == SignupState.CONFIRMED


def test_leaving_the_waiting_list_frees_a_waiting_place_and_promotes_no_one(world):
    activity = world.activity(capacity=1, waitlist_limit=2)
    world.signed_up(activity)
    waiting = world.signed_up(activity)
    actions.act(waiting, "cancel", actor=waiting.volunteer.user)
    activity.refresh_from_db()
    assert (activity.confirmed_count, activity.waiting_count) == (1, 0)


def test_no_one_signs_up_once_the_activity_started_or_without_its_skills(world):
    from gridgov.volunteers.tests.factories import SkillFactory

    activity = world.activity()
    activity.required_skills.add(SkillFactory(name="急救"))
    with pytest.raises(Refusal) as refused:
        world.signed_up(activity)
    assert refused.value.code == "skills_missing" and "急救" in refused.value.message
    activity.required_skills.clear()
    with at(activity, 1), pytest.raises(Refusal) as refused:
        world.signed_up(activity)
    assert refused.value.code == "activity_started"


def test_an_applicant_not_yet_approved_cannot_sign_up(world):
    activity = world.activity()
    with pytest.raises(Refusal) as refused:
        world.signed_up(activity, world.volunteer(state=VolunteerState.APPLIED))
    assert refused.value.code == "not_approved"


# ----- check-in rules --------------------------------------------------------------------------

def test_check_in_opens_half_an_hour_before_and_closes_at_the_end(world):
    activity = world.activity()
    signup = world.signed_up(activity)
    user = signup.volunteer.user
    with at(activity, -31):
        with pytest.raises(Refusal) as refused:
            actions.attend_by_token(tokens.make(activity.pk, "in"), actor=user)
        assert refused.value.code == "too_early"
    with at(activity, 181):
        with pytest.raises(Refusal) as refused:
            actions.attend_by_token(tokens.make(activity.pk, "in"), actor=user)
        assert refused.value.code == "too_late"
    with at(activity, -29):
        assert actions.attend_by_token(tokens.make(activity.pk, "in"), actor=user).state == \
            SignupState.CHECKED_IN


def test_an_expired_forged_or_other_activitys_qr_code_is_refused(world, settings):
    activity = world.activity()
    other = world.activity()
    signup = world.signed_up(activity)
    user = signup.volunteer.user
    with at(activity, -10):
        token = tokens.make(activity.pk, "in")
    with at(activity, -10 + settings.GRIDGOV_VOLUNTEER_QR_SECONDS // 60 + 1):
        with pytest.raises(Refusal) as refused:
            actions.attend_by_token(token, actor=user)
        assert refused.value.code == "token_expired"
        with pytest.raises(Refusal) as refused:
            actions.attend_by_token(token[:-3] + "abc", actor=user)
        assert refused.value.code == "token_invalid"
        # Another activity's code: the volunteer holds no sign-up there.
        with pytest.raises(Refusal) as refused:
            actions.attend_by_token(tokens.make(other.pk, "in"), actor=user)
        assert refused.value.code == "not_signed_up"
        # Through the sign-up itself (the API's path), another activity's code is named so.
        with pytest.raises(Refusal) as refused:
            actions.act(signup, "check_in", actor=user, token=tokens.make(other.pk, "in"))
        assert refused.value.code == "wrong_activity"
        with pytest.raises(Refusal) as refused:
            actions.act(signup, "check_in", actor=user, token=tokens.make(activity.pk, "out"))
        assert refused.value.code == "wrong_kind"
    signup.refresh_from_db()
    assert signup.state == SignupState.CONFIRMED and signup.checked_in_at is None


def test_checking_in_needs_a_token_and_only_ones_own_sign_up(world):
    activity = world.activity()
    signup = world.signed_up(activity)
    stranger = world.volunteer()
    with at(activity, 0):
        with pytest.raises(Refusal) as refused:
            actions.act(signup, "check_in", actor=signup.volunteer.user)
        assert refused.value.code == "required"
        with pytest.raises(Refusal) as refused:
            actions.act(signup, "check_in", actor=stranger.user,
                        token=tokens.make(activity.pk, "in"))
        assert refused.value.code == "forbidden"


# ----- hours ------------------------------------------------------------------------------------

def test_hours_come_from_the_real_check_in_and_out_within_the_slot(world):
    activity = world.activity()  # three hours
    signup = world.signed_up(activity)
    user = signup.volunteer.user
    with at(activity, -20):  # early: counted from the start
        actions.attend_by_token(tokens.make(activity.pk, "in"), actor=user)
    with at(activity, 95):
        signup = actions.attend_by_token(tokens.make(activity.pk, "out"), actor=user)
    assert (signup.state, signup.minutes) == (SignupState.COMPLETED, 95)
    volunteer = Volunteer.objects.get(pk=signup.volunteer_id)
    assert (volunteer.total_minutes, volunteer.total_services) == (95, 1)
    assert YearHours.objects.get(volunteer=volunteer).minutes == 95


def test_no_hours_without_a_check_in_absent_or_not(world):
    activity = world.activity()
    present, absent = world.signed_up(activity), world.signed_up(activity)
    with at(activity, 10):
        with pytest.raises(Refusal) as refused:
            actions.attend_by_token(tokens.make(activity.pk, "out"), actor=present.volunteer.user)
        assert refused.value.code == "illegal_transition"
        actions.act(absent, "mark_absent", actor=world.organiser)
    absent.refresh_from_db()
    assert absent.state == SignupState.ABSENT and absent.minutes is None
    assert ledger.counted_signups().count() == 0
    assert Volunteer.objects.filter(total_minutes__gt=0).count() == 0


def test_absent_cannot_be_marked_before_the_start(world):
    activity = world.activity()
    signup = world.signed_up(activity)
    with pytest.raises(Refusal) as refused:
        actions.act(signup, "mark_absent", actor=world.organiser)
    assert refused.value.code == "not_started"


def test_roll_call_records_the_times_it_was_called(world):
    activity = world.activity()
    signup = world.signed_up(activity)
    with at(activity, 5):
        actions.act(signup, "mark_present", actor=world.organiser)
    with at(activity, 65):
        signup = actions.act(signup, "mark_left", actor=world.organiser)
    assert signup.minutes == 60
    assert list(signup.events.values_list("action", "actor_role")) == [
        ("join", "signed_in"), ("mark_present", "organiser"), ("mark_left", "organiser")]


def test_a_correction_needs_a_reason_and_is_audited_and_moves_the_ledger(world):
    activity = world.activity()
    signup = world.signed_up(activity)
    with at(activity, 0):
        actions.act(signup, "mark_present", actor=world.organiser)
    with at(activity, 30):
        actions.act(signup, "mark_left", actor=world.organiser)
    with pytest.raises(Refusal) as refused:
        actions.act(signup, "correct", actor=world.organiser, minutes=150)
    assert refused.value.code == "required" and refused.value.field == "reason"
    signup = actions.act(signup, "correct", actor=world.organiser, minutes=150,
                         reason="志愿者提前离场时忘记签退，实际服务至活动结束")
    assert signup.minutes == 150 and signup.corrected
    entry = AuditEntry.objects.get(action="volunteers.signup.corrected")
    assert entry.actor_id == world.organiser.pk
    assert entry.changes["minutes"] == [30, 150] and "忘记签退" in entry.changes["reason"]
    volunteer = Volunteer.objects.get(pk=signup.volunteer_id)
    assert (volunteer.total_minutes, volunteer.total_services) == (150, 1)


def test_the_sweep_marks_who_never_came_absent_once(world):
    activity = world.activity()
    signup = world.signed_up(activity)
    with time_machine.travel(activity.ends_at + dt.timedelta(hours=3), tick=False):
        assert actions.close_attendance() == 1
        assert actions.close_attendance() == 0
    signup.refresh_from_db()
    assert signup.state == SignupState.ABSENT


def test_the_rebuilt_ledger_equals_the_kept_one(world):
    activity = world.activity()
    signups = [world.signed_up(activity) for _ in range(3)]
    for minutes, signup in zip((20, 50, 90), signups):
        with at(activity, 0):
            actions.act(signup, "mark_present", actor=world.organiser)
        with at(activity, minutes):
            actions.act(signup, "mark_left", actor=world.organiser)
    kept = sorted(YearHours.objects.values_list("volunteer_id", "minutes", "services"))
    ledger.rebuild(world.town.pk)
    assert sorted(YearHours.objects.values_list("volunteer_id", "minutes", "services")) == kept
    assert sum(m for _v, m, _s in kept) == 160


def test_star_levels_follow_the_configured_thresholds(settings):
    settings.GRIDGOV_VOLUNTEER_STAR_HOURS = [10, 20]
    assert [ledger.star_for(h * 60) for h in (0, 9, 10, 19, 20, 500)] == [0, 0, 1, 1, 2, 2]


# ----- volunteers ---------------------------------------------------------------------------

def id_number(birth: str) -> str:
    """A valid resident ID number (check character computed) born on yyyymmdd."""
    body = "310105" + birth + "123"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def applying(world, user, **values):
    fields = {"name": "王小明", "phone": "13912345678", **values}
    return actions.apply(actor=user, town=world.town, organisation=world.org, **fields)


def test_a_minor_by_id_number_waits_for_the_guardians_consent(world):
    from gridgov.grids.tests.factories import UserFactory

    young = f"{timezone.localdate().year - 15}0601"
    with pytest.raises(Refusal) as refused:
        applying(world, UserFactory(), id_number=id_number(young), birth_date="1980-01-01")
    assert refused.value.code == "guardian_required"
    # The ID number decides, whatever birth date was typed.
    volunteer = applying(world, UserFactory(), id_number=id_number(young), birth_date="1980-01-01",
                         guardian_name="王大明", guardian_phone="13912345679")
    assert volunteer.state == VolunteerState.AWAITING_CONSENT and volunteer.is_minor
    assert Notice.objects.filter(kind="volunteers.consent_needed").exists()
    with pytest.raises(Refusal) as refused:
        actions.act_on_volunteer(volunteer, "approve", actor=world.organiser)
    assert refused.value.code == "illegal_transition"
    actions.act_on_volunteer(volunteer, "record_consent", actor=world.organiser,
                             consent_method="form")
    volunteer = actions.act_on_volunteer(volunteer, "approve", actor=world.organiser)
    assert volunteer.state == VolunteerState.APPROVED and volunteer.consent_at is not None


def test_an_adult_applies_and_is_approved_by_the_organisation_applied_to(world):
    from gridgov.grids.tests.factories import UserFactory

    user = UserFactory()
    volunteer = applying(world, user, birth_date="1985-02-03")
    assert volunteer.state == VolunteerState.APPLIED
    stored = Volunteer.objects.get(pk=volunteer.pk)
    assert stored.phone == "13912345678" and str(stored) == "王*明"
    with pytest.raises(Refusal):
        applying(world, user, birth_date="1985-02-03")
    with pytest.raises(Refusal) as refused:
        actions.act_on_volunteer(volunteer, "approve", actor=world.other_organiser)
    assert refused.value.code == "forbidden"
    actions.act_on_volunteer(volunteer, "approve", actor=world.organiser)
    assert Notice.objects.get(kind="volunteers.approved").user_id == user.pk


def test_bad_application_input_is_refused_with_a_field(world):
    from gridgov.grids.tests.factories import UserFactory

    for values, field in (({"phone": "123"}, "phone"), ({"birth_date": "2099-01-01"}, "birth_date"),
                          ({"id_number": "310105199001011234"}, "id_number"),
                          ({"name": "王"}, "name")):
        with pytest.raises(Refusal) as refused:
            applying(world, UserFactory(), **{"birth_date": "1990-01-01", **values})
        assert refused.value.field == field, values




def test_calling_an_activity_off_cancels_every_place_and_tells_each_volunteer(world):
    activity = world.activity(capacity=1, waitlist_limit=1)
    confirmed, waiting = world.signed_up(activity), world.signed_up(activity)
    with pytest.raises(Refusal) as refused:
        actions.cancel_activity(activity, actor=world.other_organiser, reason="天气原因")
    assert refused.value.code == "forbidden"
    with pytest.raises(Refusal) as refused:
        actions.cancel_activity(activity, actor=world.organiser, reason="")
    assert refused.value.field == "reason"
    activity = actions.cancel_activity(activity, actor=world.organiser, reason="台风预警")
    assert (activity.state, activity.confirmed_count, activity.waiting_count) == ("cancelled", 0, 0)
    assert set(activity.signups.values_list("state", flat=True)) == {SignupState.CANCELLED}
    told = set(Notice.objects.filter(kind="volunteers.activity_cancelled")
               .values_list("user_id", flat=True))
    assert told == {confirmed.volunteer.user_id, waiting.volunteer.user_id}
    assert AuditEntry.objects.get(action="volunteers.activity.cancelled").changes["reason"] == "台风预警"
