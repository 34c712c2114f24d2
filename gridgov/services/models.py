"""The "泾彩满格" service package (S3), the visiting team (S4) and new-sector coverage (S5).

The catalogue (aspect → category → item) belongs to a town and is read by anyone: it is what the
town offers. Applications for its items move through one transition table
(gridgov.services.workflow) with a working-day deadline clock. The visiting team plans visits and
records them (from a phone, offline too: an idempotency key makes a record sent twice one row);
each need found becomes an application or a case, linked both ways. The new-sector register holds
the organisations whose two coverages (organisation, work) are counted by grid, building and
sector.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core import pii
from gridgov.core.clock import Deadline
from gridgov.core.scope import ScopedQuerySet, ScopeKind, placed_rules, scope_rule
from gridgov.core.workflow import EventLog
from gridgov.grids.models import Department, Grid, Place, Town

from . import credit_code


class TargetGroup(models.TextChoices):
    BUILDING_ENTERPRISES = "building", _("楼宇企业")
    STREET_SHOPS = "shops", _("街区商户")
    NEW_EMPLOYMENT = "new_employment", _("新就业群体")
    COLLECTIVE_ENTERPRISES = "collective", _("集体企业")
    RESIDENTS = "residents", _("居民")


TARGET_LABELS = dict(TargetGroup.choices)


# ----- the catalogue -----------------------------------------------------------------------

def town_rules(path: str) -> dict:
    """Rows of a town, seen by every kind of the town's staff (on the admin site and in staff
    lists; the catalogue itself is public)."""
    return {
        ScopeKind.TOWN: scope_rule(path),
        ScopeKind.COMMUNITY: scope_rule(path, via="grids.Community", column="town_id"),
        ScopeKind.GRID: scope_rule(path, via="grids.Grid", column="town_id"),
        ScopeKind.DEPARTMENT: scope_rule(path, via="grids.Department", column="town_id"),
    }


class AspectQuerySet(ScopedQuerySet):
    scope_rules = town_rules("town_id")


class Aspect(models.Model):
    """One of the five aspects (大方面) the town sells the package by."""

    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="service_aspects")
    name = models.CharField(_("方面"), max_length=50)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = AspectQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务方面")
        verbose_name_plural = _("服务方面")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="unique_aspect_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_town_id(self) -> int:
        return self.town_id


class ServiceCategoryQuerySet(ScopedQuerySet):
    scope_rules = town_rules("aspect__town_id")


class ServiceCategory(models.Model):
    aspect = models.ForeignKey(Aspect, verbose_name=_("方面"), on_delete=models.PROTECT,
                               related_name="categories")
    name = models.CharField(_("类别"), max_length=50)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = ServiceCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")
        ordering = ["aspect__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["aspect", "name"],
                                               name="unique_service_category_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_town_id(self) -> int:
        return self.aspect.town_id


class ServiceItemQuerySet(ScopedQuerySet):
    scope_rules = town_rules("town_id")

    def active(self):
        return self.filter(is_active=True)

    def search(self, text: str):
        from .search import search

        return search(self, text)

    def search_page(self, text: str, offset: int, size: int, related=()):
        from .search import search_page

        return search_page(self, text, offset, size, related)


class ServiceItem(models.Model):
    """One item (项) of the package: 政策 + 服务 + 资源, who provides it, for whom, how to apply
    and the promised response time in working days."""

    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="service_items")
    category = models.ForeignKey(ServiceCategory, verbose_name=_("类别"), on_delete=models.PROTECT,
                                 related_name="items")
    code = models.CharField(_("编号"), max_length=20,
                            help_text=_("导入时据此识别同一项目"))
    name = models.CharField(_("项目名称"), max_length=80)
    description = models.TextField(_("项目说明"), blank=True)
    policy = models.TextField(_("政策依据"), blank=True)
    provides = models.TextField(_("服务内容"), blank=True)
    resources = models.TextField(_("资源"), blank=True)
    department = models.ForeignKey(Department, verbose_name=_("提供部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="service_items")
    partner = models.CharField(_("合作单位"), max_length=100, blank=True)
    # Codes of TargetGroup joined by commas (no code is part of another, so `contains` finds one).
    target_groups = models.CharField(_("服务对象"), max_length=100, blank=True)
    how_to_apply = models.TextField(_("申请方式"), blank=True)
    asks_for = models.CharField(_("申请需填写"), max_length=200, blank=True,
                                help_text=_("申请时请申请人说明的内容"))
    response_days = models.PositiveSmallIntegerField(_("承诺响应时间（工作日）"), default=3)
    service_days = models.PositiveSmallIntegerField(_("承诺办结时间（工作日）"), default=10)
    is_active = models.BooleanField(_("启用"), default=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)
    # Lower-cased name, description, service, policy, resources, provider and target groups
    # joined: the text a search reads (gridgov.services.search), kept by save().
    search_text = models.TextField(editable=False, default="")

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["category__aspect__order", "category__order", "code"]
        constraints = [models.UniqueConstraint(fields=["town", "code"],
                                               name="unique_service_item_code")]
        indexes = [models.Index(fields=["town", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def target_codes(self) -> list[str]:
        return [t for t in self.target_groups.split(",") if t]

    def target_labels(self) -> list[str]:
        return [str(TARGET_LABELS.get(t, t)) for t in self.target_codes()]

    def provider(self) -> str:
        return self.department.name if self.department_id else self.partner

    def build_search_text(self) -> str:
        parts = [self.name, self.description, self.provides, self.policy, self.resources,
                 self.partner, self.how_to_apply, " ".join(self.target_labels()),
                 self.category.name, self.department.name if self.department_id else ""]
        return " ".join(p for p in parts if p).lower()

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)


# ----- the new-sector register (两个覆盖) ---------------------------------------------------

class Sector(models.TextChoices):
    BUILDING_ENTERPRISE = "building", _("楼宇企业")
    SHOP = "shop", _("街区商户")
    PLATFORM = "platform", _("平台企业")
    WORKER_GROUP = "workers", _("新就业群体")


class OrganisationQuerySet(ScopedQuerySet):
    scope_rules = {
        **placed_rules(town="town_id", community="grid__community_id", grid="grid_id"),
        ScopeKind.DEPARTMENT: town_rules("town_id")[ScopeKind.DEPARTMENT],
    }

    def organisation_covered(self):
        return self.filter(Organisation.ORG_COVERED)

    def work_covered(self):
        return self.filter(work_covered=True)

    def uncovered(self):
        return self.exclude(Organisation.ORG_COVERED & Q(work_covered=True))


class Organisation(models.Model):
    """A new-sector organisation: an enterprise in a building, a shop, a platform company or a
    group of new-employment workers (delivery riders of one station, couriers of one depot)."""

    ORG_COVERED = Q(has_party_org=True) | ~Q(attached_to="")

    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="new_sector_organisations")
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="new_sector_organisations")
    building = models.ForeignKey(Place, verbose_name=_("所在楼宇/地点"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField(_("名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    sector = models.CharField(_("领域"), max_length=12, choices=Sector.choices)
    members = models.PositiveIntegerField(_("从业人员数"), default=0)
    party_members = models.PositiveIntegerField(_("党员数"), default=0)
    # 组织覆盖: a party organisation of its own, or attached to one (联合党支部, 楼宇党委 …).
    has_party_org = models.BooleanField(_("建有党组织"), default=False)
    attached_to = models.CharField(_("挂靠党组织"), max_length=100, blank=True)
    # 工作覆盖: party work reaches it (a liaison, activities).
    work_covered = models.BooleanField(_("工作覆盖"), default=False)
    liaison = models.CharField(_("党建联络员"), max_length=50, blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("新兴领域组织")
        verbose_name_plural = _("新兴领域组织")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["town", "name"],
                                               name="unique_organisation_name")]
        indexes = [models.Index(fields=["town", "grid"]), models.Index(fields=["town", "sector"])]

    def __str__(self) -> str:
        return self.name

    @property
    def organisation_covered(self) -> bool:
        return self.has_party_org or bool(self.attached_to)

    def clean(self):
        from django.core.exceptions import ValidationError

        self.credit_code = credit_code.normalize(self.credit_code)
        if self.credit_code and not credit_code.is_valid(self.credit_code):
            raise ValidationError({"credit_code": _("统一社会信用代码不正确（校验位不符）")})


# ----- applications ------------------------------------------------------------------------

class State(models.TextChoices):
    RECEIVED = "received", _("已受理登记")
    ACCEPTED = "accepted", _("已接单")
    IN_SERVICE = "in_service", _("服务中")
    DONE = "done", _("已办结")
    DECLINED = "declined", _("不予办理")


OPEN_STATES = (State.RECEIVED, State.ACCEPTED, State.IN_SERVICE)


class ApplicantKind(models.TextChoices):
    ORGANISATION = "organisation", _("单位/商户")
    PERSON = "person", _("个人")


class ApplicationQuerySet(ScopedQuerySet):
    scope_rules = {
        **placed_rules(town="town_id", community="grid__community_id", grid="grid_id"),
        # The providing department sees (and works) its own applications only.
        ScopeKind.DEPARTMENT: scope_rule("department_id"),
    }
    # Deputies read none through their role; everyone else through the scopes they hold.
    readers = {
        "grid_staff": frozenset({ScopeKind.GRID, ScopeKind.COMMUNITY}),
        "handler": frozenset({ScopeKind.DEPARTMENT}),
        "operator": frozenset({ScopeKind.TOWN, ScopeKind.COMMUNITY}),
        "leader": frozenset({ScopeKind.TOWN, ScopeKind.COMMUNITY}),
        "party_affairs": frozenset({ScopeKind.TOWN, ScopeKind.COMMUNITY}),
        "admin": frozenset({ScopeKind.TOWN}),
        "district_admin": frozenset({ScopeKind.TOWN}),
    }
    # Anyone signed in also reads what they applied for.
    owner_field = "applicant"

    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, now):
        return self.filter(Application.overdue_condition(now))


class Application(Deadline):
    """服务申请: one applicant (an organisation with its credit code, or a person) asking for one
    item; handled by the item's providing department with a working-day clock."""

    CLOCK_STATES = OPEN_STATES

    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="service_applications")
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="service_applications")
    item = models.ForeignKey(ServiceItem, verbose_name=_("服务项目"), on_delete=models.PROTECT,
                             related_name="applications")
    department = models.ForeignKey(Department, verbose_name=_("提供部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="service_applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人账号"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="service_applications")
    applicant_kind = models.CharField(_("申请人类型"), max_length=12,
                                      choices=ApplicantKind.choices)
    organisation = models.ForeignKey(Organisation, verbose_name=_("登记的组织"), null=True,
                                     blank=True, on_delete=models.SET_NULL,
                                     related_name="applications")
    organisation_name = models.CharField(_("单位名称"), max_length=100, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = pii.EncryptedTextField(_("联系电话"), blank=True, default="")
    details = models.TextField(_("申请说明"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices,
                             default=State.RECEIVED)
    decline_reason = models.CharField(_("不予办理理由"), max_length=500, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    rating = models.PositiveSmallIntegerField(_("评价（1-5星）"), null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务申请")
        verbose_name_plural = _("服务申请")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["department", "state"]),
                   models.Index(fields=["town", "state"]),
                   models.Index(fields=["state", "due_at"])]
        constraints = [models.CheckConstraint(
            condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
            name="application_rating_1_to_5")]

    def __str__(self) -> str:
        return f"{self.number} {self.item.name}" if self.item_id else self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def light(self) -> str:
        """The deadline's colour now (gridgov.core.clock): red, yellow, green or ""."""
        return self.deadline_light(timezone.now())

    @property
    def applicant_label(self) -> str:
        if self.applicant_kind == ApplicantKind.ORGANISATION:
            return self.organisation_name
        return pii.mask_name(self.contact_name)

    @property
    def masked_contact_name(self) -> str:
        return pii.mask_name(self.contact_name)

    @property
    def masked_contact_phone(self) -> str:
        return pii.mask_phone(self.contact_phone)


class ApplicationEvent(EventLog):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")

    class Meta:
        verbose_name = _("服务申请记录")
        verbose_name_plural = _("服务申请记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"])]


class ApplicationSequence(models.Model):
    """The last number given out on a day: S20250711-0001."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


# ----- the visiting team -------------------------------------------------------------------

class VisitQuerySet(ScopedQuerySet):
    scope_rules = {
        **placed_rules(town="town_id", community="grid__community_id", grid="grid_id"),
        ScopeKind.DEPARTMENT: scope_rule("town_id", via="grids.Department", column="town_id"),
    }


class VisitPlanQuerySet(VisitQuerySet):
    def visible_to(self, user, roles=None):
        """The plans of the user's scope, and the plans naming them as a visitor (a town-wide
        plan reaches grid staff that way)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        named = VisitPlan.visitors.through.objects.filter(user_id=user.pk).values("visitplan_id")
        return self.filter(self.scope_condition(user, roles) | Q(pk__in=named))


class VisitPlan(models.Model):
    """Who visits which buildings, enterprises, shops or worker groups, by when."""

    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="visit_plans")
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="visit_plans")
    title = models.CharField(_("走访计划"), max_length=100)
    visitors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("走访人员"),
                                      related_name="visit_plans", blank=True)
    places = models.ManyToManyField(Place, verbose_name=_("走访地点"), blank=True,
                                    related_name="visit_plans")
    organisations = models.ManyToManyField(Organisation, verbose_name=_("走访对象"), blank=True,
                                           related_name="visit_plans")
    starts_on = models.DateField(_("开始日期"), default=timezone.localdate)
    due_on = models.DateField(_("完成期限"))
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = VisitPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访计划")
        verbose_name_plural = _("走访计划")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class VisitRecordQuerySet(VisitQuerySet):
    def in_period(self, start, end):
        return self.filter(visited_on__gte=start, visited_on__lte=end)


class VisitRecord(models.Model):
    """One visit, written on a phone (offline too). `key` is the phone's idempotency key: the
    same record sent again (a retry after a lost answer) finds the row already there."""

    key = models.UUIDField(_("提交标识"), unique=True, default=uuid.uuid4, editable=False)
    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="visit_records")
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="visit_records")
    plan = models.ForeignKey(VisitPlan, verbose_name=_("走访计划"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="records")
    place = models.ForeignKey(Place, verbose_name=_("走访地点"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="visit_records")
    organisation = models.ForeignKey(Organisation, verbose_name=_("走访对象"), null=True,
                                     blank=True, on_delete=models.PROTECT,
                                     related_name="visit_records")
    visited_on = models.DateField(_("走访日期"))
    visitors = models.CharField(_("走访人员"), max_length=200)
    people_met = models.CharField(_("接待人"), max_length=200, blank=True)
    questions = models.TextField(_("咨询的问题"), blank=True)
    answers = models.TextField(_("现场解答"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="visit_records")
    recorded_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = VisitRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["town", "visited_on"]),
                   models.Index(fields=["organisation", "visited_on"]),
                   models.Index(fields=["place", "visited_on"])]
        constraints = [models.CheckConstraint(
            condition=Q(place__isnull=False) | Q(organisation__isnull=False),
            name="visit_record_has_a_target")]

    def __str__(self) -> str:
        target = self.organisation or self.place
        return f"{self.visited_on} {target}"

    @property
    def target(self):
        return self.organisation or self.place


class VisitPhoto(models.Model):
    record = models.ForeignKey(VisitRecord, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="visits/%Y/%m/")

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")


class NeedState(models.TextChoices):
    OPEN = "open", _("待跟进")
    APPLICATION = "application", _("已转服务申请")
    CASE = "case", _("已转网格事件")
    ANSWERED = "answered", _("现场已解决")


class VisitNeedQuerySet(ScopedQuerySet):
    scope_rules = {
        **placed_rules(town="record__town_id", community="record__grid__community_id",
                       grid="record__grid_id"),
        ScopeKind.DEPARTMENT: scope_rule("record__town_id", via="grids.Department",
                                         column="town_id"),
    }

    def open(self):
        return self.filter(state=NeedState.OPEN)


class VisitNeed(models.Model):
    """A need found on a visit; its follow-up is an application or a case, linked both ways
    (the application's `need`, the case's origin "services.visitneed")."""

    record = models.ForeignKey(VisitRecord, on_delete=models.CASCADE, related_name="needs")
    description = models.CharField(_("诉求"), max_length=500)
    state = models.CharField(_("跟进状态"), max_length=12, choices=NeedState.choices,
                             default=NeedState.OPEN)
    application = models.OneToOneField(Application, verbose_name=_("服务申请"), null=True,
                                       blank=True, on_delete=models.SET_NULL,
                                       related_name="need")
    case = models.OneToOneField("cases.Case", verbose_name=_("网格事件"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="visit_need")
    followed_up_at = models.DateTimeField(_("跟进时间"), null=True, blank=True)
    followed_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")

    objects = VisitNeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访诉求")
        verbose_name_plural = _("走访诉求")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:30]

    @property
    def audit_town_id(self) -> int:
        return self.record.town_id

    @property
    def solved(self) -> bool | None:
        """Whether the follow-up solved it: done application or closed case; None while open."""
        if self.application_id:
            return self.application.state == State.DONE
        if self.case_id:
            return self.case.state in ("closed", "evaluated")
        return True if self.state == NeedState.ANSWERED else None

