"""Grid cases (S2): problems reported by residents, patrols, the 12345 hotline, deputies or visits,
and how they are solved — the closed loop of GB/T 30428.

A case's state moves only through gridgov.cases.workflow (one transition table, one CaseEvent per
move). Deadlines are stored on the row when they change (due_at, warn_at), computed in working
time by gridgov.core.workdays, and never recomputed in a list.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import ROLE_SCOPES, Role
from gridgov.core import pii
from gridgov.core.clock import Deadline
from gridgov.core.scope import ScopedQuerySet, ScopeKind, placed_rules
from gridgov.core.workflow import EventLog
from gridgov.grids.models import Community, Department, DepartmentKind, Grid, Town


class CategoryKind(models.TextChoices):
    COMPONENT = "component", _("部件")
    EVENT = "event", _("事件")


class TimeLimitClass(models.TextChoices):
    """Shanghai 12345 practice where GB/T 30428 is silent."""

    CONSULTATION = "consultation", _("咨询类")
    URGING = "urging", _("催办类")
    ORDINARY = "ordinary", _("一般类")
    COMPLEX = "complex", _("复杂类")
    URGENT = "urgent", _("紧急类")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class Category(models.Model):
    """A 小类 of the component/event catalogue, coded 2-digit 大类 + 2-digit 小类."""

    kind = models.CharField(_("部件/事件"), max_length=10, choices=CategoryKind.choices)
    major_code = models.CharField(_("大类代码"), max_length=2)
    major_name = models.CharField(_("大类"), max_length=30)
    minor_code = models.CharField(_("小类代码"), max_length=2)
    name = models.CharField(_("小类"), max_length=50)
    plain_name = models.CharField(_("通俗说法"), max_length=60,
                                  help_text=_("居民上报时看到的说法，如“井盖破了或丢了”"))
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    department_kind = models.CharField(_("默认处置部门类型"), max_length=20,
                                       choices=DepartmentKind.choices)
    time_limit_class = models.CharField(_("时限类别"), max_length=20,
                                        choices=TimeLimitClass.choices)
    time_limit_days = models.PositiveSmallIntegerField(_("处置时限（工作日）"), default=5)
    time_limit_hours = models.PositiveSmallIntegerField(
        _("紧急处置时限（小时）"), null=True, blank=True
    )
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    is_active = models.BooleanField(_("启用"), default=True)
    emergency_notice = models.CharField(
        _("紧急提示"), max_length=200, blank=True,
        help_text=_("居民选择此类问题时，在填写前醒目提示，如“紧急情况请立即拨打 110 / 119 / 962777”；空则不提示"))

    class Meta:
        verbose_name = _("事部件分类")
        verbose_name_plural = _("事部件分类")
        ordering = ["kind", "major_code", "minor_code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "major_code", "minor_code"],
                                    name="unique_category_code"),
        ]

    def __str__(self) -> str:
        return f"{self.major_name}/{self.name}"

    @property
    def code(self) -> str:
        return f"{'B' if self.kind == CategoryKind.COMPONENT else 'S'}{self.major_code}{self.minor_code}"


class Source(models.TextChoices):
    RESIDENT = "resident", _("居民上报")
    PATROL = "patrol", _("网格巡查")
    HOTLINE = "hotline", _("12345转办")
    DEPUTY = "deputy", _("代表反映")
    VISIT = "visit", _("走访发现")
    OPEN311 = "open311", _("开放接口")


class State(models.TextChoices):
    REPORTED = "reported", _("待受理")
    REGISTERED = "registered", _("已立案")
    REJECTED = "rejected", _("不予立案")
    DISPATCHED = "dispatched", _("已派遣")
    HANDLING = "handling", _("处置中")
    HANDLED = "handled", _("处置完毕")
    VERIFIED = "verified", _("核查通过")
    SUSPENDED = "suspended", _("挂账")
    CLOSED = "closed", _("已结案")
    EVALUATED = "evaluated", _("已评价")
    MERGED = "merged", _("已合并")


# States in which the handling clock runs and the case can become overdue.
OPEN_STATES = (State.REGISTERED, State.DISPATCHED, State.HANDLING, State.HANDLED, State.VERIFIED)
FINISHED_STATES = (State.CLOSED, State.EVALUATED)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class CaseQuerySet(ScopedQuerySet):
    scope_rules = {
        **placed_rules(),
        # A department called in (吹哨) sees the case too: a subquery on the small participants
        # table, not a join that would repeat a case once per participant.
        ScopeKind.DEPARTMENT: lambda ids: Q(department_id__in=ids)
        | Q(pk__in=CaseParticipant.objects.filter(department_id__in=ids).values("case_id")),
    }
    # Who reads cases (docs/security.md, "who reads which cases"): the roles that work them,
    # through every scope they hold; a deputy only the cases of their constituency (community
    # assignments; a town-wide deputy assignment is no constituency), masked as for everyone;
    # party-affairs staff none. A case one reported is theirs to read whatever their role.
    readers = {
        **{role: ROLE_SCOPES[role] for role in Role.values
           if role not in (Role.DEPUTY, Role.PARTY_AFFAIRS)},
        Role.DEPUTY: frozenset({ScopeKind.COMMUNITY}),
    }
    owner_field = "reporter"

    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, now):
        return self.filter(Case.overdue_condition(now))

    def counted(self):
        """Cases that count in indicators: a merged duplicate counts once, as its target."""
        return self.exclude(state=State.MERGED)


# Each random byte read as one of the 32 letters: 256 is a multiple of 32, so none is likelier.
_TRACKING_CODE_LETTERS = (pii.TRACKING_CODE_ALPHABET * (256 // len(pii.TRACKING_CODE_ALPHABET))
                          ).encode()


def _tracking_code() -> str:
    return secrets.token_bytes(10).translate(_TRACKING_CODE_LETTERS).decode()


class Case(Deadline):
    """A problem and its handling: a state moved only by gridgov.cases.workflow, a deadline
    clock (gridgov.core.clock.Deadline) that runs in the open states."""

    CLOCK_STATES = OPEN_STATES

    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    tracking_code = models.CharField(_("查询码"), max_length=10, unique=True,
                                     default=_tracking_code, editable=False)
    # No index of their own: each of these five leads a composite index (Meta.indexes).
    town = models.ForeignKey(Town, verbose_name=_("镇/街道"), on_delete=models.PROTECT,
                             related_name="cases", db_index=False)
    community = models.ForeignKey(Community, verbose_name=_("居民区"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="cases", db_index=False)
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="cases", db_index=False)
    category = models.ForeignKey(Category, verbose_name=_("分类"), on_delete=models.PROTECT,
                                 related_name="cases", db_index=False)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    description = models.TextField(_("问题描述"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    longitude = models.FloatField(_("经度"))
    latitude = models.FloatField(_("纬度"))
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上报人"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="reported_cases",
                                 db_index=False)
    reporter_name = models.CharField(_("联系人"), max_length=50, blank=True)
    reporter_phone = pii.EncryptedTextField(_("联系电话"), blank=True, default="")
    is_anonymous = models.BooleanField(_("匿名"), default=False)

    state = models.CharField(_("状态"), max_length=12, choices=State.choices,
                             default=State.REPORTED)
    department = models.ForeignKey(Department, verbose_name=_("处置部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="cases", db_index=False)
    is_self_handled = models.BooleanField(_("自行处置"), default=False)
    merged_into = models.ForeignKey("self", verbose_name=_("合并到"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_cases",
                                    db_index=False)
    # Where the case came from in another app (a visit, a deputy's suggestion): cases never
    # imports those apps, it keeps a reference.
    origin_type = models.CharField(max_length=50, blank=True)
    origin_id = models.CharField(max_length=50, blank=True)

    reported_at = models.DateTimeField(_("上报时间"), default=timezone.now)
    registered_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    handled_at = models.DateTimeField(_("处置完毕时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    # due_at, warn_at, clock_paused_at, warned_at, escalated_at and paused_hours (the office
    # hours the clock stood still: suspended, awaiting an extension decision, closed before a
    # reopening; subtracted from handling_hours) come with the Deadline clock.
    state_before_suspension = models.CharField(max_length=12, blank=True)
    closed_on_time = models.BooleanField(_("按期结案"), null=True, blank=True)
    handling_hours = models.FloatField(_("处置用时（工作小时）"), null=True, blank=True)

    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices,
                                    blank=True)
    satisfaction_reason = models.CharField(_("不满意原因"), max_length=500, blank=True)
    # A 不满意 rating puts the case before the operations centre again: reopen or confirm.
    needs_review = models.BooleanField(_("待复核"), default=False)
    # Self-handled cases are checked by sampling after closure.
    sample_checked_at = models.DateTimeField(_("抽查核实时间"), null=True, blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格事件")
        verbose_name_plural = _("网格事件")
        ordering = ["-reported_at", "-id"]
        indexes = [
            # Workbench queues: a scope, a state, newest first.
            models.Index(fields=["town", "state", "reported_at"]),
            models.Index(fields=["grid", "state", "reported_at"]),
            models.Index(fields=["community", "state", "reported_at"]),
            # A case has a department from its dispatch on: a new report writes no entry here,
            # nor in the partial indexes below on columns it leaves empty. (Not the deadline's:
            # SQLite's planner then reads the supervision queues from the town's whole list.)
            models.Index(fields=["department", "state", "reported_at"], name="case_department_queue",
                         condition=Q(department__isnull=False)),
            # The overdue queue: deadlines of a town's cases not closed (a few per cent of a
            # city's), so that it does not read every deadline that ever passed; with the
            # queue's other columns, so that choosing a page (queues.page) reads the index
            # alone. The condition has no parameters: SQLite can match only such conditions to
            # a query's.
            models.Index(fields=["town", "due_at", "state", "clock_paused_at", "reported_at"],
                         name="case_unclosed_due",
                         condition=Q(closed_at__isnull=True, due_at__isnull=False)),
            # The supervision queue (past the warning time, overdue ones included) and its
            # count, read like the overdue queue: from the warning times of unclosed cases.
            models.Index(fields=["town", "warn_at", "state", "clock_paused_at", "due_at",
                                 "reported_at"],
                         name="case_unclosed_warn",
                         condition=Q(closed_at__isnull=True, warn_at__isnull=False)),
            # The deadline sweep: open cases by due time.
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["state", "warn_at"]),
            # The deadline sweep asks for open cases whose deadline (warning) passed and that were not yet
            # escalated (warned): these partial indexes hold only those, however many cases
            # were escalated before.
            models.Index(fields=["due_at"], name="case_due_unescalated",
                         condition=Q(escalated_at__isnull=True, state__in=OPEN_STATES)),
            models.Index(fields=["warn_at"], name="case_warn_unwarned",
                         condition=Q(warned_at__isnull=True, state__in=OPEN_STATES)),
            # Indicators by period.
            models.Index(fields=["town", "registered_at"], name="case_town_registered",
                         condition=Q(registered_at__isnull=False)),
            models.Index(fields=["town", "due_at"]),
            models.Index(fields=["category", "registered_at"], name="case_category_registered",
                         condition=Q(registered_at__isnull=False)),
            # Duplicates on intake: same category, recent.
            models.Index(fields=["category", "reported_at"]),
            # The indicators rollup: the days a case is counted on (closed in a period), the
            # cases changed since the last refresh; Open311 lists and exports by report time.
            models.Index(fields=["town", "closed_at"], name="case_town_closed",
                         condition=Q(closed_at__isnull=False)),
            # The queue of ratings to review (a few cases of a town's many).
            models.Index(fields=["town"], name="case_needs_review",
                         condition=Q(needs_review=True)),
            # Signed-in reporters' own lists; the duplicates merged into a case.
            models.Index(fields=["reporter"], name="case_reporter",
                         condition=Q(reporter__isnull=False)),
            models.Index(fields=["merged_into"], name="case_merged_into",
                         condition=Q(merged_into__isnull=False)),
            models.Index(fields=["updated_at"]),
            models.Index(fields=["town", "reported_at"]),
            # The map (gridgov.cases.casemap): open cases in the viewport, clustered by the
            # database. Every column the clustering and the scope read is in the index, so a
            # viewport of a hundred thousand open cases is read from the index alone; duplicates
            # on intake (state, box) use it too.
            models.Index(fields=["state", "longitude", "latitude", "town", "community", "grid",
                                 "department", "due_at", "warn_at", "clock_paused_at"],
                         name="case_map_cover"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(merged_into__isnull=False),
                name="merged_case_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.category.name if self.category_id else ''}".strip()

    def followed(self) -> "Case":
        """The case its reporter follows: a duplicate merged into another follows that one
        (and on, should that one have been merged too)."""
        case = self
        while case.state == State.MERGED and case.merged_into_id:
            case = case.merged_into
        return case

    @property
    def masked_reporter_phone(self) -> str:
        return pii.mask_phone(self.reporter_phone)

    @property
    def masked_reporter_name(self) -> str:
        return pii.mask_name(self.reporter_name)

    @property
    def masked_tracking_code(self) -> str:
        return pii.mask_tracking_code(self.tracking_code)


class CaseNumberSequence(models.Model):
    """The last case number given out on a day: numbers read "XJ20261123000042"."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("事件编号序列")
        verbose_name_plural = _("事件编号序列")


class CaseEvent(EventLog):
    """One move of a case: the workflow's history, read by the timeline and the indicators.
    `department` is the department holding the case at that move (the one dispatched to, or
    returning it); who acted, and for which unit, are the log's actor columns."""

    # Indexed by (case, at) below, which serves every lookup by case.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events",
                             db_index=False)
    from_state = models.CharField(_("原状态"), max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=State.choices)
    department = models.ForeignKey(Department, verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_index=False)
    # What the acting unit tells the reporter (答复), kept apart from the internal note: only
    # this reaches the reporter's pages, the API's reporter view and Open311 (gridgov.cases.public).
    reply = models.TextField(_("答复反映人"), blank=True)

    class Meta:
        verbose_name = _("事件记录")
        verbose_name_plural = _("事件记录")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"]), models.Index(fields=["action", "at"]),
            models.Index(fields=["department"], name="caseevent_department",
                         condition=Q(department__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class PhotoPhase(models.TextChoices):
    BEFORE = "before", _("处置前")
    AFTER = "after", _("处置后")


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="photos")
    phase = models.CharField(_("阶段"), max_length=10, choices=PhotoPhase.choices)
    image = models.ImageField(_("照片"), upload_to="cases/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("事件照片")
        verbose_name_plural = _("事件照片")
        ordering = ["uploaded_at", "id"]
        # sweep_photos looks files up by name.
        indexes = [models.Index(fields=["image"], name="casephoto_image")]


class CaseParticipant(models.Model):
    """A department called in when the grid cannot solve a case alone (吹哨报到)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    called_at = models.DateTimeField(_("吹哨时间"), default=timezone.now)
    reported_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("吹哨报到")
        verbose_name_plural = _("吹哨报到")
        constraints = [
            models.UniqueConstraint(fields=["case", "department"], name="unique_case_participant")
        ]


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")


class ExtensionRequest(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    working_days = models.PositiveSmallIntegerField(_("延期工作日"))
    reason = models.CharField(_("延期理由"), max_length=500)
    status = models.CharField(_("审批状态"), max_length=10, choices=ExtensionStatus.choices,
                              default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            # At most one request awaiting a decision per case.
            models.UniqueConstraint(fields=["case"], condition=Q(status="pending"),
                                    name="one_pending_extension_per_case"),
        ]
