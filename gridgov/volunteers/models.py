"""The volunteer alliance (S6, 向"新"力志愿服务联盟): member organisations, the grid projects,
each grid's signature service ("一格一最"), volunteers, activities, sign-ups and the hours ledger.

Reads are QuerySet verbs; writes go through gridgov.volunteers.actions (the sign-up and volunteer
workflows of gridgov.volunteers.workflow). Every row lies in a town: the alliance's staff
(ALLIANCE_ROLES) read their town's rows through the scope rules, an organisation's organisers
(`Organiser`, a tie kept in this app, not a role) their organisation's rows.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Role
from gridgov.core import pii
from gridgov.core.scope import ScopedQuerySet, ScopeKind, placed_rules, scope_rule
from gridgov.core.workflow import EventLog

# The alliance's office (党建办) and the town's administrators: every volunteer, activity and
# ledger row of their town. Read through town assignments only.
ALLIANCE_ROLES = frozenset({Role.PARTY_AFFAIRS, Role.ADMIN, Role.DISTRICT_ADMIN})
TOWN_READERS = {role: frozenset({ScopeKind.TOWN}) for role in ALLIANCE_ROLES}
# Grid staff see the activities (not the volunteers' data) of their grids.
ACTIVITY_READERS = {**TOWN_READERS, Role.GRID_STAFF: frozenset({ScopeKind.GRID})}


def organised_by(user):
    """The ids of the organisations `user` organises for (a subquery)."""
    return Organiser.objects.filter(user_id=getattr(user, "pk", None)).values("organisation_id")


def alliance_towns(user) -> set[int]:
    """The towns whose alliance `user` runs (ALLIANCE_ROLES held for the town)."""
    from gridgov.core.scope import scope_ids

    return scope_ids(user, ALLIANCE_ROLES, TOWN_READERS).get(ScopeKind.TOWN, set())


def managed_condition(user, organisation="organisation_id", town="town_id") -> Q:
    """Rows `user` manages: their organisations' and, for the alliance's staff, their towns'."""
    return (Q(**{f"{town}__in": alliance_towns(user)})
            | Q(**{f"{organisation}__in": organised_by(user)}))


class OrganisationKind(models.TextChoices):
    UNIT = "unit", _("驻区单位")
    SCHOOL = "school", _("学校")
    COMPANY = "company", _("企业")
    RESIDENTS = "residents", _("居民团队")
    SOCIAL = "social", _("社会组织")


class OrganisationQuerySet(ScopedQuerySet):
    scope_rules = placed_rules(town="town_id", community=None, grid=None)
    readers = TOWN_READERS

    def scope_condition(self, user, roles=None):
        return super().scope_condition(user, roles) | Q(pk__in=organised_by(user))


class Organisation(models.Model):
    """A member of the alliance: a unit of the area, a school, a company, a residents' team."""

    town = models.ForeignKey("grids.Town", verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="+")
    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=12, choices=OrganisationKind.choices)
    grid = models.ForeignKey("grids.Grid", verbose_name=_("所在网格"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("联盟成员单位")
        verbose_name_plural = _("联盟成员单位")
        ordering = ["town", "name"]
        constraints = [models.UniqueConstraint(fields=["town", "name"],
                                               name="volunteers_unique_organisation")]

    def __str__(self) -> str:
        return self.name


class OrganiserQuerySet(ScopedQuerySet):
    scope_rules = {ScopeKind.TOWN: scope_rule("organisation__town_id")}
    readers = TOWN_READERS


class Organiser(models.Model):
    """Who organises activities and approves volunteers for an organisation."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("成员单位"),
                                     on_delete=models.CASCADE, related_name="organisers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("组织者"),
                             on_delete=models.CASCADE, related_name="+")

    objects = OrganiserQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织者")
        verbose_name_plural = _("组织者")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"],
                                               name="volunteers_unique_organiser")]

    @property
    def town_id(self):
        return self.organisation.town_id

    def __str__(self) -> str:
        return f"{self.organisation} · {pii.mask_name(self.user.name)}"


class ProjectQuerySet(ScopedQuerySet):
    scope_rules = placed_rules(town="town_id", community=None, grid=None)
    readers = TOWN_READERS

    def scope_condition(self, user, roles=None):
        return super().scope_condition(user, roles) | Q(lead_id__in=organised_by(user))


class Project(models.Model):
    """A grid volunteer project of the alliance ("泾彩悦读", "健康守护" …), led by a member."""

    town = models.ForeignKey("grids.Town", verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="+")
    name = models.CharField(_("项目名称"), max_length=50)
    theme = models.CharField(_("服务方向"), max_length=50, blank=True)
    description = models.TextField(_("简介"), blank=True)
    lead = models.ForeignKey(Organisation, verbose_name=_("牵头单位"), on_delete=models.PROTECT,
                             related_name="projects")
    grids = models.ManyToManyField("grids.Grid", verbose_name=_("服务网格"), blank=True,
                                   related_name="+")
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务项目")
        verbose_name_plural = _("志愿服务项目")
        ordering = ["town", "id"]
        constraints = [models.UniqueConstraint(fields=["town", "name"],
                                               name="volunteers_unique_project")]

    def __str__(self) -> str:
        return self.name


class SignatureServiceQuerySet(ScopedQuerySet):
    scope_rules = placed_rules(town="town_id", community=None, grid="grid_id")
    readers = ACTIVITY_READERS


class SignatureService(models.Model):
    """A grid's signature service ("一格一最"): one per grid, usually run by a project."""

    town = models.ForeignKey("grids.Town", verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="+")
    grid = models.OneToOneField("grids.Grid", verbose_name=_("网格"), on_delete=models.CASCADE,
                                related_name="signature")
    name = models.CharField(_("品牌名称"), max_length=50)
    description = models.TextField(_("服务内容"), blank=True)
    project = models.ForeignKey(Project, verbose_name=_("所属项目"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="signatures")
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = SignatureServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("一格一最")
        verbose_name_plural = _("一格一最")
        ordering = ["grid__number"]

    def __str__(self) -> str:
        return f"{self.grid} · {self.name}"


class Skill(models.Model):
    """A skill a volunteer offers and an activity may require (shared by every town)."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("技能")
        verbose_name_plural = _("技能")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Availability(models.TextChoices):
    WEEKDAY_DAY = "weekday_day", _("工作日白天")
    WEEKDAY_EVENING = "weekday_evening", _("工作日晚上")
    WEEKEND_DAY = "weekend_day", _("周末白天")
    WEEKEND_EVENING = "weekend_evening", _("周末晚上")


class VolunteerState(models.TextChoices):
    AWAITING_CONSENT = "consent", _("待监护人同意")
    APPLIED = "applied", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")
    SUSPENDED = "suspended", _("已暂停")
    WITHDRAWN = "withdrawn", _("已退出")


class ConsentMethod(models.TextChoices):
    FORM = "form", _("书面同意书")
    PHONE = "phone", _("电话确认")
    IN_PERSON = "in_person", _("监护人到场确认")


class VolunteerQuerySet(ScopedQuerySet):
    """The alliance's staff read their town's volunteers; an organiser those who applied through
    their organisation or a project it leads."""

    scope_rules = placed_rules(town="town_id", community=None, grid=None)
    readers = TOWN_READERS

    def scope_condition(self, user, roles=None):
        mine = organised_by(user)
        return (super().scope_condition(user, roles) | Q(organisation_id__in=mine)
                | Q(project__lead_id__in=mine))

    def of(self, user):
        """The user's own volunteer records (one per town they serve in)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def approved(self):
        return self.filter(state=VolunteerState.APPROVED)


class Volunteer(models.Model):
    """A person registered with the alliance in one town. Name, phone and ID number are personal
    data: the phone and ID number stored encrypted (found by their blind index), all three shown
    masked; a minor (by birth date, or the birth date within the ID number) needs a guardian's
    consent before approval."""

    town = models.ForeignKey("grids.Town", verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("账号"), null=True,
                             blank=True, on_delete=models.SET_NULL, related_name="volunteering")
    name = models.CharField(_("姓名"), max_length=50)
    phone = pii.EncryptedTextField(_("手机号"))
    phone_index = models.CharField(max_length=64, db_index=True, editable=False)
    id_number = pii.EncryptedTextField(_("身份证号"), blank=True, default="")
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    birth_date = models.DateField(_("出生日期"))
    guardian_name = models.CharField(_("监护人姓名"), max_length=50, blank=True)
    guardian_phone = pii.EncryptedTextField(_("监护人手机号"), blank=True, default="")
    consent_method = models.CharField(_("监护人同意方式"), max_length=10, blank=True,
                                      choices=ConsentMethod.choices)
    consent_at = models.DateTimeField(_("监护人同意时间"), null=True, blank=True)
    organisation = models.ForeignKey(Organisation, verbose_name=_("加入单位"),
                                     on_delete=models.PROTECT, related_name="volunteers")
    project = models.ForeignKey(Project, verbose_name=_("意向项目"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="volunteers")
    skills = models.ManyToManyField(Skill, verbose_name=_("技能"), blank=True, related_name="+")
    grids = models.ManyToManyField("grids.Grid", verbose_name=_("服务网格"), blank=True,
                                   related_name="+")
    availability = models.JSONField(_("可服务时间"), default=list, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=VolunteerState.choices,
                             default=VolunteerState.APPLIED)
    applied_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    # The ledger's cumulative figures (kept with each check-out and correction).
    total_minutes = models.PositiveIntegerField(_("累计服务分钟"), default=0)
    total_services = models.PositiveIntegerField(_("累计服务次数"), default=0)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["-applied_at", "-id"]
        constraints = [
            # One record per person and town; a withdrawn or rejected one may apply again.
            models.UniqueConstraint(
                fields=["town", "user"], name="volunteers_one_active_per_user",
                condition=~Q(state__in=["rejected", "withdrawn"])),
        ]
        indexes = [
            # The all-time ranking of the ledger page: a town's volunteers by cumulative hours,
            # read backwards (most hours first) from a keyset cursor (total_minutes, id).
            models.Index(fields=["town", "total_minutes", "id"], name="volunteer_town_hours"),
            models.Index(fields=["town", "state"], name="volunteer_town_state"),
        ]

    def __str__(self) -> str:
        return pii.mask_name(self.name)

    def save(self, *args, **kwargs):
        pii.index_person(self)
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return pii.mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return pii.mask_id_number(self.id_number) if self.id_number else ""

    def age_on(self, day: dt.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def is_minor(self) -> bool:
        return self.age_on(timezone.localdate()) < 18

    @property
    def hours(self) -> float:
        return round(self.total_minutes / 60, 1)

    @property
    def star(self) -> int:
        from gridgov.volunteers.ledger import star_for

        return star_for(self.total_minutes)


class VolunteerEvent(EventLog):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="events")

    class Meta(EventLog.Meta):
        verbose_name = _("志愿者记录")
        verbose_name_plural = _("志愿者记录")


class ActivityState(models.TextChoices):
    OPEN = "open", _("报名中")
    CANCELLED = "cancelled", _("已取消")


class ActivityQuerySet(ScopedQuerySet):
    scope_rules = placed_rules(town="town_id", community=None, grid="grid_id")
    readers = ACTIVITY_READERS

    def scope_condition(self, user, roles=None):
        return super().scope_condition(user, roles) | Q(organisation_id__in=organised_by(user))

    def managed_by(self, user):
        """What `user` may organise (roll-call, corrections): their organisations' activities,
        and their town's for the alliance's staff."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(managed_condition(user))

    def public(self):
        """What anyone may read: activities that were published (cancelled ones included, so
        that a link sent round still says so)."""
        return self

    def upcoming(self, now=None):
        return self.filter(state=ActivityState.OPEN, ends_at__gte=now or timezone.now())


class Activity(models.Model):
    """One activity in a grid: place, time slot, capacity, required skills and a waiting list.

    `confirmed_count` and `waiting_count` are the sign-ups holding a place and waiting; a sign-up
    claims a place by one conditional UPDATE under the activity's row lock, and the database
    refuses a confirmed count above the capacity (a check constraint), so no interleaving of
    sign-ups can overbook."""

    town = models.ForeignKey("grids.Town", verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="+")
    grid = models.ForeignKey("grids.Grid", verbose_name=_("网格"), on_delete=models.PROTECT,
                             related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("组织单位"),
                                     on_delete=models.PROTECT, related_name="activities")
    project = models.ForeignKey(Project, verbose_name=_("所属项目"), on_delete=models.PROTECT,
                                related_name="activities")
    title = models.CharField(_("活动名称"), max_length=80)
    description = models.TextField(_("活动内容"), blank=True)
    place_name = models.CharField(_("地点"), max_length=100)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("招募人数"))
    waitlist_limit = models.PositiveIntegerField(_("候补人数上限"), default=10)
    cancel_deadline = models.DateTimeField(_("取消报名截止"))
    required_skills = models.ManyToManyField(Skill, verbose_name=_("所需技能"), blank=True,
                                             related_name="+")
    confirmed_count = models.PositiveIntegerField(_("已报名"), default=0)
    waiting_count = models.PositiveIntegerField(_("候补"), default=0)
    state = models.CharField(_("状态"), max_length=10, choices=ActivityState.choices,
                             default=ActivityState.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(confirmed_count__lte=F("capacity")),
                                   name="volunteers_activity_not_overbooked"),
            models.CheckConstraint(condition=Q(waiting_count__lte=F("waitlist_limit")),
                                   name="volunteers_activity_waitlist_bounded"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="volunteers_activity_ends_after_start"),
        ]
        indexes = [
            # The public calendar: a town's open activities by time.
            models.Index(fields=["town", "state", "starts_at"], name="activity_calendar"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.confirmed_count)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class SignupState(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITING = "waiting", _("候补中")
    CANCELLED = "cancelled", _("已取消")
    CHECKED_IN = "checked_in", _("已签到")
    COMPLETED = "completed", _("已完成")
    ABSENT = "absent", _("缺席")


# A sign-up in these states holds the volunteer's one place (or queue position) in an activity.
ACTIVE_SIGNUP_STATES = ("confirmed", "waiting", "checked_in", "completed", "absent")


class SignupQuerySet(ScopedQuerySet):
    scope_rules = {ScopeKind.TOWN: scope_rule("activity__town_id")}
    readers = TOWN_READERS

    def scope_condition(self, user, roles=None):
        return (super().scope_condition(user, roles)
                | Q(activity__organisation_id__in=organised_by(user)))

    def of(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(volunteer__user=user)

    def active(self):
        return self.filter(state__in=ACTIVE_SIGNUP_STATES)


class Signup(models.Model):
    """A volunteer's place in an activity, from sign-up to check-out. `minutes` is set only from
    a real check-in and check-out (or an organiser's correction, with its reason, audited)."""

    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE,
                                 related_name="signups")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("志愿者"), on_delete=models.CASCADE,
                                  related_name="signups")
    state = models.CharField(_("状态"), max_length=12, choices=SignupState.choices)
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("服务分钟"), null=True, blank=True)
    corrected = models.BooleanField(_("经组织者更正"), default=False)

    objects = SignupQuerySet.as_manager()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["activity", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"],
                                    condition=Q(state__in=ACTIVE_SIGNUP_STATES),
                                    name="volunteers_one_signup_per_activity"),
        ]
        indexes = [
            # Promotion takes the first waiting sign-up of an activity.
            models.Index(fields=["activity", "state", "id"], name="signup_queue"),
            models.Index(fields=["volunteer", "state"], name="signup_volunteer"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.volunteer}"

    @property
    def town_id(self):
        return self.activity.town_id

    @property
    def hours(self):
        return None if self.minutes is None else round(self.minutes / 60, 1)


class SignupEvent(EventLog):
    signup = models.ForeignKey(Signup, on_delete=models.CASCADE, related_name="events")

    class Meta(EventLog.Meta):
        verbose_name = _("报名记录")
        verbose_name_plural = _("报名记录")


# ----- the hours ledger ------------------------------------------------------------------------

class YearHours(models.Model):
    """A volunteer's service in one year (kept on every check-out and correction): the ledger
    page ranks a town's volunteers for a year from this table alone, by its index."""

    town = models.ForeignKey("grids.Town", on_delete=models.PROTECT, related_name="+")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField()
    minutes = models.IntegerField(default=0)
    services = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["volunteer", "year"],
                                               name="volunteers_one_year_row")]
        # The ledger page's ranking of a year, read backwards from a cursor (minutes, volunteer).
        indexes = [models.Index(fields=["town", "year", "minutes", "volunteer"],
                                name="yearhours_ranking")]


class UnitMonthHours(models.Model):
    """Service per month, project, grid and organisation (kept like YearHours): the ledger's and
    the statistics' totals by unit and period."""

    town = models.ForeignKey("grids.Town", on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey("grids.Grid", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    minutes = models.IntegerField(default=0)
    services = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["month", "project", "grid", "organisation"], name="volunteers_one_unit_month")]
        indexes = [models.Index(fields=["town", "month"], name="unitmonth_town_month")]
