"""The alliance's API (/api/volunteers/): activities (public), applying and one's own record,
sign-ups and their moves (cancel, QR check-in/out, roll-call, corrections), volunteers'
applications for organisers, the hours ledger and a volunteer's figures.

Writes go through gridgov.volunteers.actions; refusals answer {"errors": [{field, code, message}]}
(400, 403 not this user's move, 409 not in this state). Rows are looked up inside what the user
may see: another organisation's volunteer or another town's activity answers 404."""

import datetime as dt

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from gridgov.core import pii
from gridgov.core.access import require_role
from gridgov.core.errors import Refusal
from gridgov.core.inputs import schema_for
from gridgov.volunteers import actions, ledger
from gridgov.volunteers.models import (
    ALLIANCE_ROLES,
    Activity,
    Availability,
    Organisation,
    Project,
    Signup,
    Skill,
    Volunteer,
    VolunteerState,
    alliance_towns,
)
from gridgov.volunteers.pages import is_manager, managed_volunteers
from gridgov.volunteers.workflow import (
    PERSON_ACTIONS,
    SIGNUP_TRANSITIONS,
    SIGNUP_WORKFLOW,
    VOLUNTEER_TRANSITIONS,
    VOLUNTEER_WORKFLOW,
)

router = Router(tags=["志愿服务"])

Grid = Activity._meta.get_field("grid").related_model


class ActivityOut(Schema):
    id: int
    title: str
    description: str
    grid_id: int
    grid: str
    project_id: int
    project: str
    organisation: str
    place_name: str
    longitude: float | None
    latitude: float | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    cancel_deadline: dt.datetime
    capacity: int
    confirmed_count: int
    waiting_count: int
    waitlist_limit: int
    state: str
    required_skills: list[str]
    is_sample: bool

    @staticmethod
    def resolve_grid(a):
        return a.grid.name

    @staticmethod
    def resolve_project(a):
        return a.project.name

    @staticmethod
    def resolve_organisation(a):
        return a.organisation.name

    @staticmethod
    def resolve_required_skills(a):
        return [s.code for s in a.required_skills.all()]


class SignupOut(Schema):
    id: int
    activity_id: int
    activity: str
    state: str
    state_label: str
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    minutes: int | None
    corrected: bool
    volunteer: str = Field(description="志愿者姓名（脱敏）")
    allowed_actions: list[str] = []

    @staticmethod
    def resolve_activity(s):
        return s.activity.title

    @staticmethod
    def resolve_state_label(s):
        return str(s.get_state_display())

    @staticmethod
    def resolve_volunteer(s):
        return str(s.volunteer)


class VolunteerOut(Schema):
    id: int
    name: str = Field(description="姓名（脱敏）")
    phone: str = Field(description="手机号（脱敏）")
    id_number: str = Field(description="身份证号（脱敏）")
    state: str
    state_label: str
    is_minor: bool
    organisation: str
    project: str | None
    town_id: int
    total_minutes: int
    total_services: int
    star: int
    allowed_actions: list[str] = []

    @staticmethod
    def resolve_name(v):
        return str(v)

    @staticmethod
    def resolve_phone(v):
        return v.masked_phone

    @staticmethod
    def resolve_id_number(v):
        return v.masked_id_number

    @staticmethod
    def resolve_state_label(v):
        return str(v.get_state_display())

    @staticmethod
    def resolve_organisation(v):
        return v.organisation.name

    @staticmethod
    def resolve_project(v):
        return v.project.name if v.project_id else None


ApplicationIn = schema_for("VolunteerApplicationIn", actions.APPLICATION_INPUTS)


class ApplyIn(ApplicationIn):
    organisation_id: int
    project_id: int | None = None
    skills: list[str] = Field([], max_length=20, description="技能代码")
    grid_ids: list[int] = Field([], max_length=50)
    availability: list[Availability] = Field([], max_length=4)


ActivityInputs = schema_for("ActivityInputsIn", actions.ACTIVITY_INPUTS)


class ActivityIn(ActivityInputs):
    organisation_id: int
    project_id: int
    grid_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    skills: list[str] = Field([], max_length=20)
    longitude: float | None = Field(None, ge=-180, le=180)
    latitude: float | None = Field(None, ge=-90, le=90)


SignupActionIn = schema_for("SignupActionIn", [i for t in SIGNUP_TRANSITIONS for i in t.inputs])
VolunteerActionIn = schema_for("VolunteerActionIn",
                               [i for t in VOLUNTEER_TRANSITIONS for i in t.inputs])


class TokenIn(Schema):
    token: str = Field(..., max_length=300, description="组织者手机上二维码中的签到/签退令牌")


class LedgerRow(Schema):
    volunteer_id: int
    name: str = Field(description="姓名（脱敏）")
    minutes: int
    services: int


class UnitRow(Schema):
    label: str
    minutes: int
    hours: float
    services: int


class LedgerOut(Schema):
    year: int | None
    next: str | None = Field(description="下一页的 after 参数；最后一页为空")
    count: int
    volunteers: list[LedgerRow]
    by_project: list[UnitRow]
    by_grid: list[UnitRow]
    by_organisation: list[UnitRow]


class YearFigure(Schema):
    year: int
    minutes: int
    hours: float
    services: int


class ProjectFigure(Schema):
    project: str
    minutes: int
    hours: float


class HoursOut(Schema):
    minutes: int
    hours: float
    services: int
    star: int
    next_star_hours: int | None
    years: list[YearFigure]
    projects: list[ProjectFigure]


def _signup_out(signup, user):
    signup.allowed_actions = [t.action for t in SIGNUP_WORKFLOW.allowed_actions(signup, user)]
    return signup


def _volunteer_out(volunteer, user):
    volunteer.allowed_actions = [t.action for t in
                                 VOLUNTEER_WORKFLOW.allowed_actions(volunteer, user)]
    return volunteer


def _skills(codes):
    found = list(Skill.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        raise Refusal("invalid_choice", "请选择有效的技能", "skills")
    return found


# ----- public ---------------------------------------------------------------------------------

@router.get("/activities", response=list[ActivityOut], auth=None,
            summary="近期志愿活动（公开；可按网格、项目筛选）")
def list_activities(request, grid: int | None = Query(None, ge=1),
                    project: int | None = Query(None, ge=1),
                    limit: int = Query(50, ge=1, le=200)):
    rows = Activity.objects.upcoming().select_related("grid", "project", "organisation") \
        .prefetch_related("required_skills")
    if grid:
        rows = rows.filter(grid_id=grid)
    if project:
        rows = rows.filter(project_id=project)
    return list(rows[:limit])


@router.get("/activities/{int:activity_id}", response=ActivityOut, auth=None,
            summary="活动详情（公开）")
def activity_detail(request, activity_id: int):
    return get_object_or_404(Activity.objects.select_related("grid", "project", "organisation"),
                             pk=activity_id)


# ----- one's own ------------------------------------------------------------------------------

@router.post("/volunteers", response={201: VolunteerOut}, summary="申请加入志愿服务联盟（本人）")
def apply(request, payload: ApplyIn):
    organisation = get_object_or_404(Organisation, pk=payload.organisation_id)
    project = (get_object_or_404(Project, pk=payload.project_id)
               if payload.project_id else None)
    grids = list(Grid.objects.filter(pk__in=payload.grid_ids))
    if len(grids) != len(set(payload.grid_ids)):
        raise Refusal("invalid_choice", "请选择有效的网格", "grid_ids")
    values = {i.name: getattr(payload, i.name) for i in actions.APPLICATION_INPUTS}
    volunteer = actions.apply(actor=request.user, town=organisation.town,
                              organisation=organisation, project=project,
                              skills=_skills(payload.skills), grids=grids,
                              availability=[str(a) for a in payload.availability], **values)
    return Status(201, _volunteer_out(volunteer, request.user))


@router.get("/me", response=list[VolunteerOut], summary="本人的志愿者记录")
def my_records(request):
    return [_volunteer_out(v, request.user) for v in
            Volunteer.objects.of(request.user).select_related("organisation", "project")]


@router.get("/me/signups", response=list[SignupOut], summary="本人的报名")
def my_signups(request, limit: int = Query(50, ge=1, le=200)):
    rows = Signup.objects.of(request.user).select_related("activity", "volunteer") \
        .order_by("-activity__starts_at")[:limit]
    return [_signup_out(s, request.user) for s in rows]


@router.post("/activities/{int:activity_id}/signups", response={201: SignupOut},
             summary="报名活动（名额满时进入候补；均满时拒绝）")
def sign_up(request, activity_id: int):
    activity = get_object_or_404(Activity, pk=activity_id)
    return Status(201, _signup_out(actions.sign_up(activity, actor=request.user), request.user))


@router.post("/attendance", response=SignupOut, summary="扫码签到或签退（令牌来自组织者的二维码）")
def attend(request, payload: TokenIn):
    return _signup_out(actions.attend_by_token(payload.token, actor=request.user), request.user)


def _signups_for(user):
    return Signup.objects.filter(Q(volunteer__user=user)
                                 | Q(activity__in=Activity.objects.managed_by(user)))


@router.post("/signups/{int:signup_id}/actions/{action}", response=SignupOut,
             summary="报名的操作：cancel、check_in/check_out（带 token）、mark_present、mark_left、"
                     "mark_absent、correct（minutes、reason）")
def signup_act(request, signup_id: int, action: str, payload: SignupActionIn):
    signup = get_object_or_404(_signups_for(request.user), pk=signup_id)
    if action not in PERSON_ACTIONS:
        raise Refusal("unknown_action", f"未知的操作：{action}", "action")
    data = {k: v for k, v in payload.dict().items() if v not in (None, "")}
    return _signup_out(actions.act(signup, action, actor=request.user, **data), request.user)


@router.get("/volunteers/{int:volunteer_id}/hours", response=HoursOut,
            summary="志愿者的服务时长（本人，或联盟办公室）")
def volunteer_hours(request, volunteer_id: int):
    volunteer = Volunteer.objects.of(request.user).filter(pk=volunteer_id).first() or \
        get_object_or_404(Volunteer.objects.visible_to(request.user, roles=ALLIANCE_ROLES),
                          pk=volunteer_id)
    return ledger.volunteer_totals(volunteer)


# ----- organisers and the alliance's office ---------------------------------------------------

def _require_manager(user):
    if not is_manager(user):
        raise Refusal("forbidden", "只有志愿服务组织者和联盟办公室可以操作")


@router.get("/volunteers", response=list[VolunteerOut],
            summary="志愿者（组织者：本单位；联盟办公室：本镇；个人信息脱敏）")
def list_volunteers(request, state: VolunteerState | None = None,
                    limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=100000)):
    _require_manager(request.user)
    rows = managed_volunteers(request.user).select_related("organisation", "project")
    if state:
        rows = rows.filter(state=state)
    return [_volunteer_out(v, request.user) for v in rows[offset:offset + limit]]


@router.post("/volunteers/{int:volunteer_id}/actions/{action}", response=VolunteerOut,
             summary="审核志愿者：approve、reject（reason）、record_consent（consent_method）、"
                     "suspend、reinstate；本人 withdraw")
def volunteer_act(request, volunteer_id: int, action: str, payload: VolunteerActionIn):
    volunteer = (Volunteer.objects.of(request.user).filter(pk=volunteer_id).first()
                 or get_object_or_404(managed_volunteers(request.user), pk=volunteer_id))
    data = {k: v for k, v in payload.dict().items() if v not in (None, "")}
    return _volunteer_out(actions.act_on_volunteer(volunteer, action, actor=request.user, **data),
                          request.user)


@router.post("/activities", response={201: ActivityOut}, summary="发布活动（组织者、联盟办公室）")
def create_activity(request, payload: ActivityIn):
    _require_manager(request.user)
    organisation = get_object_or_404(Organisation, pk=payload.organisation_id)
    project = get_object_or_404(Project, pk=payload.project_id, town_id=organisation.town_id)
    grid = get_object_or_404(Grid, pk=payload.grid_id, town_id=organisation.town_id)
    values = {i.name: getattr(payload, i.name) for i in actions.ACTIVITY_INPUTS}
    activity = actions.create_activity(
        actor=request.user, organisation=organisation, project=project, grid=grid,
        starts_at=payload.starts_at, ends_at=payload.ends_at, skills=_skills(payload.skills),
        longitude=payload.longitude, latitude=payload.latitude, **values)
    return Status(201, activity)


class CancelIn(Schema):
    reason: str = Field("", max_length=200, description="取消活动的理由（必填，2-200字）")


@router.post("/activities/{int:activity_id}/cancel", response=ActivityOut,
             summary="取消活动（组织者；已报名和候补的志愿者均收到通知）")
def cancel_activity(request, activity_id: int, payload: CancelIn):
    activity = get_object_or_404(Activity.objects.managed_by(request.user), pk=activity_id)
    return actions.cancel_activity(activity, actor=request.user, reason=payload.reason)


@router.get("/activities/{int:activity_id}/signups", response=list[SignupOut],
            summary="活动的报名名单（组织者；姓名脱敏）")
def activity_signups(request, activity_id: int):
    activity = get_object_or_404(Activity.objects.managed_by(request.user), pk=activity_id)
    return [_signup_out(s, request.user) for s in
            activity.signups.active().select_related("activity", "volunteer")]


@router.get("/activities/{int:activity_id}/qr-token", response=TokenIn,
            summary="签到/签退二维码的令牌（组织者；有效期见 GRIDGOV_VOLUNTEER_QR_SECONDS）")
def qr_token(request, activity_id: int, kind: str = Query("in", pattern="^(in|out)$")):
    from gridgov.volunteers import tokens

    activity = get_object_or_404(Activity.objects.managed_by(request.user), pk=activity_id)
    return {"token": tokens.make(activity.pk, kind)}


@router.get("/hours", response=LedgerOut, summary="服务时长台账（联盟办公室；按年度或累计）")
def hours_ledger(request, year: int | None = Query(None, ge=2000, le=2100),
                 after: str = Query("", max_length=40,
                                    description="上一页返回的 next（分钟.志愿者编号.名次）")):
    require_role(request.user, ALLIANCE_ROLES, "只有联盟办公室可以查看服务时长台账")
    towns = sorted(alliance_towns(request.user)) if not request.user.is_superuser else list(
        Activity._meta.get_field("town").related_model.objects.values_list("pk", flat=True))
    cursor = ledger.parse_cursor(after)
    if after and cursor is None:
        raise Refusal("invalid_cursor", "分页参数不正确", "after")
    rows, count, _offset, following = ledger.ranking(towns, year=year, after=cursor)
    return {"year": year, "next": following, "count": count,
            "volunteers": [{"volunteer_id": r[0], "name": pii.mask_name(r[1]), "minutes": r[2],
                            "services": r[3]} for r in rows],
            "by_project": ledger.unit_totals(towns, by="project", year=year),
            "by_grid": ledger.unit_totals(towns, by="grid", year=year),
            "by_organisation": ledger.unit_totals(towns, by="organisation", year=year)}


