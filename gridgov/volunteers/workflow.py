"""The two state machines of the alliance, each one transition table applied by the core engine:

- a volunteer's registration: apply (a minor waits for the guardian's consent) → approve or
  reject by the organisation applied to (its organisers) or the alliance's office; suspend,
  reinstate; the volunteer may withdraw;
- a sign-up to an activity: join (a place) or queue (the waiting list) → cancel before the
  deadline, promote from the waiting list (the system, when a place frees), check in and out by
  QR code or by the organiser's roll-call, absent, and an organiser's correction of the minutes
  with a reason.

Hours are set only by check-out (from the real check-in and check-out times) and by a
correction. Writes that change an activity's counts are called by gridgov.volunteers.actions
under the activity's row lock (lock order: activity, then sign-up).
"""

import datetime as dt

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.inputs import Input
from gridgov.core.workflow import NEW, EventLog, Guard, Relation, Standing, Workflow, transition
from gridgov.volunteers import ledger, tokens
from gridgov.volunteers.models import (
    ALLIANCE_ROLES,
    Activity,
    ConsentMethod,
    Organiser,
    Signup,
    SignupEvent,
    SignupState,
    Volunteer,
    VolunteerEvent,
    VolunteerState,
    alliance_towns,
)

V, S = VolunteerState, SignupState


# ----- who ------------------------------------------------------------------------------------

def _signed_in(obj, user) -> bool:
    return getattr(user, "is_authenticated", False)


SIGNED_IN = Relation("signed_in", _signed_in)


def _volunteer_of(obj):
    return obj if isinstance(obj, Volunteer) else obj.volunteer


def _is_self(obj, user) -> bool:
    return bool(getattr(user, "pk", None)) and _volunteer_of(obj).user_id == user.pk


SELF = Relation("volunteer", _is_self)


def _organisations_of(obj) -> set[int]:
    if isinstance(obj, Volunteer):
        ids = {obj.organisation_id}
        if obj.project_id:
            ids.add(obj.project.lead_id)
        return ids
    return {obj.activity.organisation_id}


def _organises(obj, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Organiser.objects.filter(user=user, organisation_id__in=_organisations_of(obj)).exists()


ORGANISER = Relation("organiser", _organises)


def town_of(obj) -> int | None:
    if isinstance(obj, Volunteer):
        return obj.town_id
    return obj.activity.town_id if obj.activity_id else None


def standing(obj, user, role, t) -> Standing | None:
    """The alliance's office acts in its town."""
    town = town_of(obj)
    if role in ALLIANCE_ROLES and town is not None and town in alliance_towns(user):
        return Standing(role=role, unit_kind="town", unit_id=town)
    return None


def _label(actor) -> str:
    return str(actor) if getattr(actor, "is_authenticated", False) else ""


# ----- inputs ---------------------------------------------------------------------------------

REASON = Input("reason", "text", _("理由"), required=True, min=2, max=200)
CONSENT = Input("consent_method", "choice", _("监护人同意方式"), required=True,
                choices=tuple(ConsentMethod.choices))
TOKEN = Input("token", "text", _("签到二维码"), required=True, max=300)
MINUTES = Input("minutes", "int", _("服务时长（分钟）"), required=True, min=0, max=24 * 60)


# ----- volunteers -----------------------------------------------------------------------------

def _fill(obj, *, actor, note, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    return {}


def _consented(obj, *, actor, note, consent_method):
    obj.consent_method = consent_method
    obj.consent_at = timezone.now()
    return {"consent_method": consent_method}


def _consent_if_minor(volunteer, user) -> bool:
    return not volunteer.is_minor or volunteer.consent_at is not None


def _with_reason(obj, *, actor, note, reason):
    return {"reason": reason}


MANAGERS = dict(roles=ALLIANCE_ROLES, relations=(ORGANISER,))

VOLUNTEER_TRANSITIONS = (
    transition("apply", NEW, V.APPLIED, (), _("申请加入"), relations=(SIGNED_IN,), effect=_fill),
    transition("apply_minor", NEW, V.AWAITING_CONSENT, (), _("未成年人申请加入"),
               relations=(SIGNED_IN,), effect=_fill, past="applied_as_minor"),
    transition("record_consent", V.AWAITING_CONSENT, V.APPLIED, label=_("登记监护人同意"),
               inputs=(CONSENT,), effect=_consented, past="consent_recorded", **MANAGERS),
    transition("approve", V.APPLIED, V.APPROVED, label=_("通过"), **MANAGERS,
               guards=(Guard(_consent_if_minor, "guardian_consent_missing",
                             _("未成年人须先取得监护人同意")),)),
    transition("reject", (V.APPLIED, V.AWAITING_CONSENT), V.REJECTED, label=_("不予通过"),
               inputs=(REASON,), effect=_with_reason, style="secondary", **MANAGERS),
    transition("suspend", V.APPROVED, V.SUSPENDED, label=_("暂停"), inputs=(REASON,),
               effect=_with_reason, style="secondary", **MANAGERS),
    transition("reinstate", V.SUSPENDED, V.APPROVED, label=_("恢复"), **MANAGERS),
    transition("withdraw", (V.AWAITING_CONSENT, V.APPLIED, V.APPROVED, V.SUSPENDED),
               V.WITHDRAWN, (), _("退出联盟"), relations=(SELF,), style="secondary",
               past="withdrawn"),
)


def record_volunteer_event(obj, *, transition, actor, standing, from_state, note, data, inputs):
    return VolunteerEvent.write(
        volunteer=obj, **EventLog.fields_for(transition=transition, actor=actor, label=_label(actor),
                                             standing=standing, from_state=from_state,
                                             to_state=obj.state, note=note, data=data))


VOLUNTEER_WORKFLOW = Workflow(name="volunteers.volunteer", model=Volunteer,
                              transitions=VOLUNTEER_TRANSITIONS, standing=standing,
                              record_event=record_volunteer_event, lock_related=("project",))


# ----- sign-ups -------------------------------------------------------------------------------

def checkin_opens(activity) -> dt.datetime:
    return activity.starts_at - dt.timedelta(minutes=settings.GRIDGOV_VOLUNTEER_CHECKIN_EARLY_MINUTES)


def checkout_closes(activity) -> dt.datetime:
    return activity.ends_at + dt.timedelta(minutes=settings.GRIDGOV_VOLUNTEER_CHECKOUT_LATE_MINUTES)


def served_minutes(activity, checked_in_at, checked_out_at) -> int:
    """Minutes of service between a real check-in and check-out, counted within the activity's
    time slot (arriving early or leaving late adds nothing)."""
    start = max(checked_in_at, activity.starts_at)
    end = min(checked_out_at, activity.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


def _before_cancel_deadline(signup, user) -> bool:
    return timezone.now() <= signup.activity.cancel_deadline


def _checkin_open(signup, user) -> bool:
    return checkin_opens(signup.activity) <= timezone.now() <= signup.activity.ends_at


def _not_too_early(signup, user) -> bool:
    return timezone.now() >= checkin_opens(signup.activity)


def _not_too_late(signup, user) -> bool:
    return timezone.now() <= signup.activity.ends_at


def _checkout_open(signup, user) -> bool:
    return timezone.now() <= checkout_closes(signup.activity)


def _started(signup, user) -> bool:
    return timezone.now() >= signup.activity.starts_at


TOO_EARLY = Guard(_not_too_early, "too_early", _("签到尚未开始（活动开始前半小时起可签到）"))
TOO_LATE = Guard(_not_too_late, "too_late", _("活动已结束，不能再签到"))
CHECKOUT_CLOSED = Guard(_checkout_open, "too_late", _("签退时间已过，请联系组织者更正"))


def _cancelled(signup, *, actor, note):
    """A freed place goes to the first on the waiting list (the caller holds the activity's
    lock)."""
    Activity.objects.filter(pk=signup.activity_id).update(
        **({"confirmed_count": F("confirmed_count") - 1} if signup.state == S.CONFIRMED
           else {"waiting_count": F("waiting_count") - 1}))
    if signup.state == S.CONFIRMED:
        promote_first(signup.activity)
    return {}


def promote_first(activity) -> Signup | None:
    """Give a free place to the first sign-up waiting, if the activity has not started."""
    if timezone.now() >= activity.starts_at:
        return None
    first = (Signup.objects.filter(activity_id=activity.pk, state=S.WAITING)
             .order_by("id").values_list("pk", flat=True).first())
    if first is None:
        return None
    if not Activity.objects.filter(pk=activity.pk, confirmed_count__lt=F("capacity")).update(
            confirmed_count=F("confirmed_count") + 1, waiting_count=F("waiting_count") - 1):
        return None
    moved = SIGNUP_WORKFLOW.system(first, "promote", claim=Q(state=S.WAITING),
                                   mark={"state": S.CONFIRMED})
    return moved[0] if moved else None


def _checked_in(signup, *, actor, note, token=None):
    if token is not None:
        tokens.read(token, kind="in", activity_id=signup.activity_id)
    signup.checked_in_at = timezone.now()
    return {"method": "qr" if token is not None else "roll_call"}


def _checked_out(signup, *, actor, note, token=None):
    if token is not None:
        tokens.read(token, kind="out", activity_id=signup.activity_id)
    signup.checked_out_at = timezone.now()
    signup.minutes = served_minutes(signup.activity, signup.checked_in_at, signup.checked_out_at)
    ledger.add(signup, signup.minutes, 1)
    return {"method": "qr" if token is not None else "roll_call", "minutes": signup.minutes}


def _corrected(signup, *, actor, note, minutes, reason):
    old = signup.minutes
    signup.minutes = minutes
    signup.corrected = True
    ledger.add(signup, minutes - (old or 0), 0 if old is not None else 1)
    return {"minutes": [old, minutes], "reason": reason}


def _no_show(signup, *, actor, note):
    return {}


ACTIVITY_MANAGERS = dict(roles=ALLIANCE_ROLES, relations=(ORGANISER,))

SIGNUP_TRANSITIONS = (
    transition("join", NEW, S.CONFIRMED, (), _("报名"), relations=(SIGNED_IN,), effect=_fill,
               past="joined"),
    transition("queue", NEW, S.WAITING, (), _("候补报名"), relations=(SIGNED_IN,), effect=_fill,
               past="queued"),
    transition("cancel", (S.CONFIRMED, S.WAITING), S.CANCELLED, (), _("取消报名"),
               relations=(SELF,), effect=_cancelled, style="secondary", past="cancelled",
               guards=(Guard(_before_cancel_deadline, "cancel_deadline_passed",
                             _("已过取消报名截止时间，如不能参加请联系组织者")),)),
    transition("promote", S.WAITING, S.CONFIRMED, (), _("候补转正"), system=True,
               past="promoted"),
    transition("check_in", S.CONFIRMED, S.CHECKED_IN, (), _("扫码签到"), relations=(SELF,),
               inputs=(TOKEN,), effect=_checked_in, guards=(TOO_EARLY, TOO_LATE),
               past="checked_in"),
    transition("check_out", S.CHECKED_IN, S.COMPLETED, (), _("扫码签退"), relations=(SELF,),
               inputs=(TOKEN.required_as(True),), effect=_checked_out, guards=(CHECKOUT_CLOSED,),
               past="checked_out"),
    transition("mark_present", S.CONFIRMED, S.CHECKED_IN, label=_("点名签到"),
               effect=_checked_in, guards=(TOO_EARLY, TOO_LATE), past="marked_present",
               **ACTIVITY_MANAGERS),
    transition("mark_left", S.CHECKED_IN, S.COMPLETED, label=_("点名签退"),
               effect=_checked_out, guards=(CHECKOUT_CLOSED,), past="marked_left",
               **ACTIVITY_MANAGERS),
    transition("mark_absent", S.CONFIRMED, S.ABSENT, label=_("记为缺席"), style="secondary",
               guards=(Guard(_started, "not_started", _("活动开始后才能记缺席")),),
               past="marked_absent", **ACTIVITY_MANAGERS),
    transition("correct", (S.CHECKED_IN, S.COMPLETED, S.ABSENT), S.COMPLETED,
               label=_("更正时长"), inputs=(MINUTES, REASON), effect=_corrected,
               style="secondary", past="corrected", **ACTIVITY_MANAGERS),
    transition("no_show", S.CONFIRMED, S.ABSENT, (), _("未签到记缺席"), system=True,
               effect=_no_show, past="marked_no_show"),
)


def record_signup_event(obj, *, transition, actor, standing, from_state, note, data, inputs):
    data = {k: v for k, v in data.items() if k != "token"}
    return SignupEvent.write(
        signup=obj, **EventLog.fields_for(transition=transition, actor=actor, label=_label(actor),
                                          standing=standing, from_state=from_state,
                                          to_state=obj.state, note=note, data=data))


SIGNUP_WORKFLOW = Workflow(name="volunteers.signup", model=Signup, transitions=SIGNUP_TRANSITIONS,
                           standing=standing, record_event=record_signup_event,
                           lock_related=("activity", "volunteer"))

# The sign-up's actions a person may ask for through a page or the API (the system's are not).
PERSON_ACTIONS = tuple(t.action for t in SIGNUP_TRANSITIONS if not t.system and NEW not in t.sources)
