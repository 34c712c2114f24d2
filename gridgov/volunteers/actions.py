"""Every write of the alliance: keyword-only `actor`, one transaction, audited (through the
workflow engine or audit.record), refusals as core.errors.Refusal.

Lock order, everywhere: the activity's row, then a sign-up's. A sign-up claims a place by one
conditional UPDATE (`confirmed_count < capacity`) while holding the activity's lock, so that
concurrent sign-ups are serialised on PostgreSQL (SELECT ... FOR UPDATE) as on SQLite (the
IMMEDIATE transaction holds the write lock), and the check constraint refuses an overbooking
whatever happens."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core import audit, notify, pii
from gridgov.core.errors import Refusal
from gridgov.core.inputs import Input, InputError
from gridgov.volunteers import tokens
from gridgov.volunteers.models import (
    Activity,
    ActivityState,
    Organiser,
    Signup,
    SignupState,
    Volunteer,
    VolunteerState,
    alliance_towns,
)
from gridgov.volunteers.workflow import SIGNUP_WORKFLOW, VOLUNTEER_WORKFLOW

S = SignupState

audit.register("volunteers.activity.created", "发布志愿活动")
audit.register("volunteers.activity.cancelled", "取消志愿活动")
audit.register("volunteers.organiser.added", "添加组织者")
audit.register("volunteers.hours.exported", "导出服务时长")
audit.register("volunteers.certificate.issued", "出具志愿服务时长证明")


# ----- what a sign-up asks for, declared once (page form and API schema) -----------------------

NAME = Input("name", "text", gettext_lazy("姓名"), required=True, min=2, max=30)
PHONE = Input("phone", "text", gettext_lazy("手机号"), required=True, max=20)
ID_NUMBER = Input("id_number", "text", gettext_lazy("身份证号"), max=18,
                  help=gettext_lazy("选填；填写后按身份证号确定出生日期"))
BIRTH_DATE = Input("birth_date", "text", gettext_lazy("出生日期"), max=10,
                   help=gettext_lazy("如 2010-05-01；未填身份证号时必填"))
GUARDIAN_NAME = Input("guardian_name", "text", gettext_lazy("监护人姓名"), max=30,
                      help=gettext_lazy("未满18周岁须填写"))
GUARDIAN_PHONE = Input("guardian_phone", "text", gettext_lazy("监护人手机号"), max=20)
APPLICATION_INPUTS = (NAME, PHONE, ID_NUMBER, BIRTH_DATE, GUARDIAN_NAME, GUARDIAN_PHONE)

TITLE = Input("title", "text", gettext_lazy("活动名称"), required=True, min=2, max=80)
DESCRIPTION = Input("description", "text", gettext_lazy("活动内容"), max=2000)
PLACE = Input("place_name", "text", gettext_lazy("地点"), required=True, min=2, max=100)
CAPACITY = Input("capacity", "int", gettext_lazy("招募人数"), required=True, min=1, max=500)
WAITLIST = Input("waitlist_limit", "int", gettext_lazy("候补人数上限"), min=0, max=500, default=10)
CANCEL_HOURS = Input("cancel_hours", "int", gettext_lazy("开始前多少小时停止取消"), min=0, max=168, default=24)
ACTIVITY_INPUTS = (TITLE, DESCRIPTION, PLACE, CAPACITY, WAITLIST, CANCEL_HOURS)


def _clean(inputs, values: dict) -> dict:
    cleaned = {}
    for item in inputs:
        try:
            cleaned[item.name] = item.clean(values.get(item.name))
        except InputError as error:
            raise Refusal(error.code, error.message, error.field) from None
    return cleaned


def birth_date_of(id_number: str, typed: str) -> dt.date:
    """The birth date: from the ID number when given (it decides), else as typed."""
    if id_number:
        if not pii.is_valid_id_number(id_number):
            raise Refusal("invalid_id_number", _("身份证号不正确"), "id_number")
        digits = pii.normalize_id_number(id_number)
        try:
            return dt.date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
        except ValueError:
            raise Refusal("invalid_id_number", _("身份证号不正确"), "id_number") from None
    if not typed:
        raise Refusal("required", _("请填写出生日期或身份证号"), "birth_date")
    try:
        born = dt.date.fromisoformat(typed)
    except ValueError:
        raise Refusal("invalid_date", _("出生日期格式应为 2010-05-01"), "birth_date") from None
    today = timezone.localdate()
    if born > today or born.year < today.year - 110:
        raise Refusal("invalid_date", _("出生日期不正确"), "birth_date")
    return born


# ----- volunteers -----------------------------------------------------------------------------

def apply(*, actor, town, organisation, project=None, skills=(), grids=(), availability=(),
          **values) -> Volunteer:
    """A signed-in person applies to the alliance of `town` through `organisation` (and a project);
    a minor's application waits for the guardian's consent."""
    if not getattr(actor, "is_authenticated", False):
        raise Refusal("unauthenticated", _("请先登录"), status=401)
    data = _clean(APPLICATION_INPUTS, values)
    if not pii.is_valid_mobile(data["phone"]):
        raise Refusal("invalid_phone", _("请填写11位手机号"), "phone")
    born = birth_date_of(data["id_number"], data["birth_date"])
    if organisation.town_id != town.pk or (project is not None and project.town_id != town.pk):
        raise Refusal("invalid_choice", _("请选择本镇的成员单位和项目"), "organisation")
    if any(g.town_id != town.pk for g in grids):
        raise Refusal("invalid_choice", _("请选择本镇的网格"), "grids")
    volunteer_fields = dict(
        town=town, user=actor, name=data["name"], phone=pii.normalize_phone(data["phone"]),
        id_number=pii.normalize_id_number(data["id_number"]), birth_date=born,
        organisation=organisation, project=project, availability=sorted(set(availability)),
        applied_at=timezone.now())
    probe = Volunteer(birth_date=born)
    action = "apply_minor" if probe.is_minor else "apply"
    if probe.is_minor:
        if not data["guardian_name"] or not pii.is_valid_mobile(data["guardian_phone"]):
            raise Refusal("guardian_required", _("未满18周岁须填写监护人姓名和手机号"),
                          "guardian_name" if not data["guardian_name"] else "guardian_phone")
        volunteer_fields.update(guardian_name=data["guardian_name"],
                                guardian_phone=pii.normalize_phone(data["guardian_phone"]))
    with transaction.atomic():
        if Volunteer.objects.filter(town=town, user=actor).exclude(
                state__in=[VolunteerState.REJECTED, VolunteerState.WITHDRAWN]).exists():
            raise Refusal("already_registered", _("您已申请加入本镇志愿服务联盟"))
        try:
            with transaction.atomic():
                volunteer, _event = VOLUNTEER_WORKFLOW.create(action, actor=actor,
                                                              **volunteer_fields)
        except IntegrityError:
            raise Refusal("already_registered", _("您已申请加入本镇志愿服务联盟")) from None
        volunteer.skills.set(skills)
        volunteer.grids.set(grids)
        if probe.is_minor:
            notify.notify(kind="volunteers.consent_needed", about=volunteer,
                          addresses=[volunteer.guardian_phone],
                          body=_("您的孩子申请加入新泾镇向“新”力志愿服务联盟，组织单位将与您联系确认同意。"))
    return volunteer


def act_on_volunteer(volunteer, action: str, *, actor, **data):
    return VOLUNTEER_WORKFLOW.apply(volunteer, action, actor=actor, **data)[0]


def on_volunteer_event(sender, *, obj, transition, **kwargs):
    """Tell the volunteer of the decision (outbox, in the move's transaction)."""
    messages = {
        "approve": _("您加入志愿服务联盟的申请已通过，欢迎报名参加志愿活动。"),
        "reject": _("您加入志愿服务联盟的申请未获通过。"),
        "suspend": _("您的志愿者资格已暂停，如有疑问请联系组织单位。"),
        "reinstate": _("您的志愿者资格已恢复。"),
    }
    if transition.action in messages and obj.user_id:
        notify.notify(kind=f"volunteers.{transition.done}", body=messages[transition.action],
                      user_ids=[obj.user_id], about=obj)


# ----- activities -----------------------------------------------------------------------------

def may_manage_organisation(user, organisation) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return (organisation.town_id in alliance_towns(user)
            or Organiser.objects.filter(user=user, organisation=organisation).exists())


def create_activity(*, actor, organisation, project, grid, starts_at, ends_at, skills=(),
                    longitude=None, latitude=None, **values) -> Activity:
    """An organisation (its organiser, or the alliance's office) publishes an activity."""
    data = _clean(ACTIVITY_INPUTS, values)
    if not may_manage_organisation(actor, organisation):
        raise Refusal("forbidden", _("您不是该单位的组织者"))
    if project.town_id != organisation.town_id or grid.town_id != organisation.town_id:
        raise Refusal("invalid_choice", _("项目和网格须属于本镇"), "grid")
    if ends_at <= starts_at:
        raise Refusal("invalid_time", _("结束时间须晚于开始时间"), "ends_at")
    if starts_at <= timezone.now():
        raise Refusal("invalid_time", _("开始时间须晚于现在"), "starts_at")
    if ends_at - starts_at > dt.timedelta(hours=12):
        raise Refusal("invalid_time", _("一场活动最长12小时"), "ends_at")
    with transaction.atomic():
        activity = Activity.objects.create(
            town_id=organisation.town_id, organisation=organisation, project=project, grid=grid,
            title=data["title"], description=data["description"], place_name=data["place_name"],
            capacity=data["capacity"], waitlist_limit=data["waitlist_limit"],
            starts_at=starts_at, ends_at=ends_at, longitude=longitude, latitude=latitude,
            cancel_deadline=starts_at - dt.timedelta(hours=data["cancel_hours"]),
            created_by=actor if actor.is_authenticated else None)
        activity.required_skills.set(skills)
        audit.record("volunteers.activity.created", actor=actor, target=activity,
                     changes={"capacity": activity.capacity, "starts_at": str(starts_at)})
    return activity


def cancel_activity(activity, *, actor, reason: str) -> Activity:
    """Called off: every sign-up cancelled, each volunteer told."""
    reason = _clean((Input("reason", "text", gettext_lazy("理由"), required=True, min=2, max=200),),
                    {"reason": reason})["reason"]
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if not may_manage_organisation(actor, locked.organisation):
            raise Refusal("forbidden", _("您不是该活动的组织者"))
        if locked.state != ActivityState.OPEN or locked.starts_at <= timezone.now():
            raise Refusal("illegal_transition", _("活动已开始或已取消"))
        users = list(locked.signups.filter(state__in=[S.CONFIRMED, S.WAITING])
                     .values_list("volunteer__user_id", flat=True))
        locked.signups.filter(state__in=[S.CONFIRMED, S.WAITING]).update(state=S.CANCELLED)
        locked.state = ActivityState.CANCELLED
        locked.confirmed_count = locked.waiting_count = 0
        locked.save(update_fields=["state", "confirmed_count", "waiting_count"])
        audit.record("volunteers.activity.cancelled", actor=actor, target=locked,
                     changes={"reason": reason, "signups": len(users)})
        notify.notify(kind="volunteers.activity_cancelled", about=locked,
                      user_ids=[u for u in users if u],
                      body=_("您报名的志愿活动“%(title)s”已取消：%(reason)s")
                      % {"title": locked.title, "reason": reason})
    return locked


# ----- sign-ups -------------------------------------------------------------------------------

def _lock_activity(activity_id) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity_id)


def sign_up(activity, *, actor) -> Signup:
    """The actor's approved volunteer record takes a place, or a place on the waiting list, or is
    refused (full, started, skills missing, signed up already)."""
    # Found before the lock, by the user's index (ordered by the key: the model's default order
    # would make the planner sort the town's volunteers), so that the lock is held briefly.
    volunteer = Volunteer.objects.of(actor).filter(town_id=activity.town_id).exclude(
        state__in=[VolunteerState.REJECTED, VolunteerState.WITHDRAWN]).order_by("pk").first()
    if volunteer is None:
        raise Refusal("not_volunteer", _("请先申请加入志愿服务联盟"))
    with transaction.atomic():
        locked = _lock_activity(activity.pk)
        volunteer.state = Volunteer.objects.values_list("state", flat=True).get(pk=volunteer.pk)
        if volunteer.state != VolunteerState.APPROVED:
            raise Refusal("not_approved", _("您的志愿者申请尚未通过审核"))
        if locked.state != ActivityState.OPEN:
            raise Refusal("activity_cancelled", _("该活动已取消"))
        if timezone.now() >= locked.starts_at:
            raise Refusal("activity_started", _("活动已开始，不能报名"))
        required = set(locked.required_skills.values_list("pk", flat=True))
        if required - set(volunteer.skills.values_list("pk", flat=True)):
            raise Refusal("skills_missing", _("该活动需要的技能您尚未登记：%(skills)s") % {
                "skills": "、".join(locked.required_skills.values_list("name", flat=True))})
        if Signup.objects.active().filter(activity=locked, volunteer=volunteer).exists():
            raise Refusal("already_signed_up", _("您已报名该活动"))
        if Activity.objects.filter(pk=locked.pk, confirmed_count__lt=F("capacity")).update(
                confirmed_count=F("confirmed_count") + 1):
            action = "join"
        elif Activity.objects.filter(pk=locked.pk, waiting_count__lt=F("waitlist_limit")).update(
                waiting_count=F("waiting_count") + 1):
            action = "queue"
        else:
            raise Refusal("full", _("名额和候补均已满"))
        signup, _event = SIGNUP_WORKFLOW.create(action, actor=actor, activity=locked,
                                                volunteer=volunteer, created_at=timezone.now())
    return signup


def act(signup, action: str, *, actor, **data) -> Signup:
    """Any person's move on a sign-up (cancel, check in or out, roll-call, correct), under the
    activity's lock."""
    with transaction.atomic():
        _lock_activity(signup.activity_id)
        return SIGNUP_WORKFLOW.apply(signup, action, actor=actor, **data)[0]


def attend_by_token(token: str, *, actor) -> Signup:
    """The volunteer scanned the organiser's QR code: check in or out of that activity."""
    payload = tokens.read(token)
    signup = Signup.objects.of(actor).filter(
        activity_id=payload["activity_id"],
        state__in=[S.CONFIRMED, S.CHECKED_IN, S.WAITING, S.COMPLETED]).first()
    if signup is None:
        raise Refusal("not_signed_up", _("您没有报名这场活动"), "token")
    if signup.state == S.WAITING:
        raise Refusal("waiting", _("您在候补名单中，尚未获得名额"), "token")
    action = "check_in" if payload["kind"] == "in" else "check_out"
    return act(signup, action, actor=actor, token=token)


def on_signup_event(sender, *, obj, transition, **kwargs):
    """The promoted volunteer is told at once (outbox, in the move's transaction)."""
    if transition.action == "promote" and obj.volunteer.user_id:
        start = timezone.localtime(obj.activity.starts_at)
        notify.notify(kind="volunteers.promoted", user_ids=[obj.volunteer.user_id], about=obj,
                      body=_("您已由候补转为正式报名：%(title)s，%(when)s，%(place)s。")
                      % {"title": obj.activity.title, "when": start.strftime("%m-%d %H:%M"),
                         "place": obj.activity.place_name})


def close_attendance(now=None) -> int:
    """The tick's sweep: a confirmed sign-up not checked in by the end of the check-out window is
    marked absent (a system move, claimed so that overlapping runs act once)."""
    from django.db.models import Q

    from gridgov.volunteers.workflow import SIGNUP_WORKFLOW as flow

    now = now or timezone.now()
    late = now - dt.timedelta(minutes=settings.GRIDGOV_VOLUNTEER_CHECKOUT_LATE_MINUTES)
    moved = 0
    for pk in Signup.objects.filter(state=S.CONFIRMED, activity__ends_at__lt=late).values_list(
            "pk", flat=True)[:1000]:
        if flow.system(pk, "no_show", claim=Q(state=S.CONFIRMED), mark={"state": S.ABSENT}):
            moved += 1
    return moved


def add_organiser(*, actor, organisation, user) -> Organiser:
    if not (getattr(actor, "is_superuser", False) or organisation.town_id in alliance_towns(actor)):
        raise Refusal("forbidden", _("只有联盟办公室可以添加组织者"))
    with transaction.atomic():
        organiser, created = Organiser.objects.get_or_create(organisation=organisation, user=user)
        if created:
            audit.record("volunteers.organiser.added", actor=actor, target=organiser,
                         town=organisation.town_id)
    return organiser

