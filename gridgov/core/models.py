from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core import pii
from gridgov.core.scope import ScopedQuerySet, ScopeKind


class AuditEntryQuerySet(ScopedQuerySet):
    # A town's administrators read their town's entries; entries of no town (log-ins, the shared
    # catalogue) only the installation's superusers.
    scope_rules = {ScopeKind.TOWN: lambda ids: models.Q(town_id__in=ids)}


class AuditEntry(models.Model):
    """One write, or one view of unmasked personal data. Append-only: the database refuses UPDATE
    and DELETE on this table (see migration 0002), so the actor is kept as a plain id plus a label
    and is never cascaded."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the index (actor, at) answers for the actor alone too
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=100)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_label = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("内容"), default=dict, blank=True)
    request_id = models.UUIDField(_("请求编号"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    # The town the entry belongs to (audit.town_of its object), a plain id like the actor's:
    # the log outlives what it names.
    town_id = models.PositiveBigIntegerField(_("镇/街道编号"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"]),
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["action", "at"]),
            models.Index(fields=["town_id", "at"], name="core_audit_town_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"


class CalendarDay(models.Model):
    """A day whose status the town sets itself: a holiday or make-up working day (调休) that the
    bundled official calendar does not know yet, e.g. next year's before the package is updated."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'工作日' if self.is_workday else '休息日'} {self.note}"

    def save(self, *args, **kwargs):
        from gridgov.core.workdays import forget_overrides

        super().save(*args, **kwargs)
        forget_overrides()

    def delete(self, *args, **kwargs):
        from gridgov.core.workdays import forget_overrides

        result = super().delete(*args, **kwargs)
        forget_overrides()
        return result


class RateCount(models.Model):
    """How many hits one key has had in one window of a rate limit (gridgov.core.ratelimit)."""

    key = models.CharField(max_length=200, primary_key=True)  # purpose:window:client
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)  # the end of its window

    class Meta:
        verbose_name = _("频率计数")
        verbose_name_plural = _("频率计数")


class PeriodicTask(models.Model):
    """The last run of one task registered with gridgov.core.periodic: a tick claims the row
    (compare-and-set on started_at) before it runs the task, so two ticks at once run it once."""

    name = models.CharField(_("任务"), max_length=100, primary_key=True)
    started_at = models.DateTimeField(_("上次开始"), null=True, blank=True)
    finished_at = models.DateTimeField(_("上次结束"), null=True, blank=True)
    succeeded = models.BooleanField(_("上次成功"), null=True, blank=True)
    summary = models.CharField(_("上次结果"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NoticeQuerySet(ScopedQuerySet):
    # A town's administrators read the notices about their town's objects; notices of no town
    # only the installation's superusers (as the audit log).
    scope_rules = {ScopeKind.TOWN: lambda ids: models.Q(town_id__in=ids)}


class Notice(models.Model):
    """One message to one recipient on one channel (gridgov.core.notify): written in the same
    transaction as the event that causes it, delivered by the tick, retried with backoff.
    A recipient is a user, or an address (a phone number or an e-mail address) of someone
    without an account, kept encrypted."""

    channel = models.CharField(_("渠道"), max_length=30)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), null=True,
                             blank=True, on_delete=models.CASCADE, related_name="+")
    address = pii.EncryptedTextField(_("接收地址"), blank=True, default="")
    kind = models.CharField(_("类型"), max_length=100)  # what it is about: "cases.dispatch"
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    # The object it is about, as the audit log names one ("cases.case", "42").
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    # When the tick tries (again); empty once sent or given up.
    next_attempt_at = models.DateTimeField(_("下次发送"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.CharField(_("错误"), max_length=500, blank=True)
    # The town of the object it is about (audit.town_of), a plain id as in the audit log.
    town_id = models.PositiveBigIntegerField(_("镇/街道编号"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Delivery reads only the notices still waiting, however many were sent.
            models.Index(fields=["next_attempt_at"], name="notice_waiting",
                         condition=Q(next_attempt_at__isnull=False)),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class SavedFilter(models.Model):
    """A user's named set of filters for one page (a list, a map): the page's query string,
    kept as typed (core.saved_filters strips paging and bounds it), opened again from a menu."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"),
                             on_delete=models.CASCADE, related_name="saved_filters")
    page = models.CharField(_("页面"), max_length=100)
    name = models.CharField(_("名称"), max_length=30)
    query = models.CharField(_("筛选条件"), max_length=800, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("保存的筛选")
        verbose_name_plural = _("保存的筛选")
        ordering = ("page", "name")
        constraints = [models.UniqueConstraint(fields=["user", "page", "name"],
                                               name="saved_filter_unique_name")]

    def __str__(self):
        return self.name


class AuditArchive(models.Model):
    """A file the oldest audit entries were written to before they left the database: entries
    first_id to last_id, each line hash-chained to the one before (core.audit_retention), the
    file's SHA-256 and the chain's last hash. Append-only like the log; the database lets an
    audit entry be deleted only when it is older than the minimum retention and one of these
    rows covers its id (migration 0008)."""

    created_at = models.DateTimeField(_("归档时间"), auto_now_add=True)
    first_id = models.BigIntegerField(_("起始编号"))
    last_id = models.BigIntegerField(_("结束编号"))
    entries = models.PositiveIntegerField(_("条数"))
    file_name = models.CharField(_("文件"), max_length=255)
    sha256 = models.CharField(_("文件校验值"), max_length=64)
    last_hash = models.CharField(_("链尾哈希"), max_length=64)

    class Meta:
        verbose_name = _("审计归档")
        verbose_name_plural = _("审计归档")
        ordering = ["first_id"]

    def __str__(self):
        return f"{self.file_name} ({self.first_id}–{self.last_id})"
