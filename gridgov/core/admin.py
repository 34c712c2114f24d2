"""The platform's own admin pages, and AuditedAdmin: what every ModelAdmin of gridgov mixes in so
that edits made in Django's admin reach the platform audit log, not only Django's LogEntry."""

import datetime as dt

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core import audit, calendar_days, notify, pii
from gridgov.core.models import AuditEntry, CalendarDay, Notice, PeriodicTask

# What the log shows in place of a personal-data value (as audit.record's own scrubbing does).
HIDDEN = "***"


class AuditedAdmin:
    """Records every create, change and delete made through this ModelAdmin and its inlines as
    "<app>.<model>.created" / ".changed" / ".deleted", with the admin user as actor, in the same
    transaction as the write. Changes name each field the form changed with [old, new]; a field
    holding personal data (any pii.EncryptedTextField, and the names in personal_fields) is only
    named, its value shown as "***". A save that changed nothing writes nothing.

    A ModelAdmin whose writes already go through an audited action (Open311 keys; roles in the
    user page) overrides save_model or save_formset without calling super(), and is not recorded
    twice. Put it first among the bases: class GridAdmin(AuditedAdmin, admin.ModelAdmin)."""

    # Model fields, beyond the encrypted ones, whose values are personal data (a person's name).
    personal_fields: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        changes = self._form_changes(form, change)
        super().save_model(request, obj, form, change)
        if changes or not change:
            audit.record(_action(obj, "change" if change else "create"), actor=request.user,
                         target=obj, changes=changes)

    def delete_model(self, request, obj):
        # Recorded first, while the object still has its primary key; the admin's transaction
        # takes the entry back if the delete fails.
        audit.record(_action(obj, "delete"), actor=request.user, target=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(using=queryset.db):
            for obj in queryset.iterator(chunk_size=500):
                audit.record(_action(obj, "delete"), actor=request.user, target=obj)
            super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        deleted = [f for f in formset.deleted_forms if f.instance.pk is not None]
        for inline_form in deleted:
            audit.record(_action(inline_form.instance, "delete"), actor=request.user,
                         target=inline_form.instance)
        edited = [(f, f.instance.pk is not None, self._form_changes(f, f.instance.pk is not None))
                  for f in formset.forms if f not in deleted and f.has_changed()]
        super().save_formset(request, form, formset, change)
        for inline_form, existed, changes in edited:
            if inline_form.instance.pk is not None and (changes or not existed):
                audit.record(_action(inline_form.instance, "change" if existed else "create"),
                             actor=request.user, target=inline_form.instance, changes=changes)

    def _form_changes(self, form, change: bool) -> dict:
        """{field: [old, new]} for what the form changed (every filled-in field of a new object),
        personal data as "***"."""
        model = form._meta.model
        data = getattr(form, "cleaned_data", {})
        names = form.changed_data if change else [n for n in form.fields if _filled(data.get(n))]
        changes = {}
        for name in names:
            if name not in data:
                continue
            if self._is_personal(model, name):
                changes[name] = HIDDEN
            else:
                old = form.initial.get(name) if change else None
                changes[name] = [_loggable(old), _loggable(data[name])]
        return changes

    def _is_personal(self, model, name: str) -> bool:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        return isinstance(field, pii.EncryptedTextField) or name in self.personal_fields


# What an edit in the admin is called in the log, and what that means.
ADMIN_VERBS = {"create": ("created", "新建"), "change": ("changed", "修改"),
               "delete": ("deleted", "删除")}


def _action(obj, verb: str) -> str:
    """"<app>.<model>.created" and so on: the name the app itself uses for the same event when
    it has one (a place created by an action or in the admin), else registered here."""
    done, meaning = ADMIN_VERBS[verb]
    name = f"{obj._meta.app_label}.{obj._meta.model_name}.{done}"
    if name not in audit.ACTIONS:
        audit.register(name, f"{meaning}{obj._meta.verbose_name}")
    return name


def _filled(value) -> bool:
    if isinstance(value, models.QuerySet):
        return value.exists()
    return value not in (None, "", [], ())


def _loggable(value):
    """A value as JSON can hold it: related objects by primary key, lists of them sorted, moments
    in local time (the database gives UTC, the form local time: one moment reads the same)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (models.QuerySet, list, tuple, set)):
        items = [_loggable(item) for item in value]
        return sorted(items, key=str) if isinstance(value, (models.QuerySet, set)) else items
    if value is None or isinstance(value, (str, int, float, bool, dict)):
        return value
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).isoformat()
    return str(value)




class ReadOnlyAdmin(AuditedAdmin, admin.ModelAdmin):
    """Rows the platform writes itself: shown, never edited in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_label")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_label", "object_id")
    date_hierarchy = "at"


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """The outbox: what waits, what was sent, what was given up and why. The address of someone
    without an account is personal data: shown masked only."""

    list_display = ("created_at", "channel", "kind", "to", "attempts", "sent_at",
                    "next_attempt_at", "last_error")
    list_filter = ("channel", "kind")
    date_hierarchy = "created_at"
    exclude = ("address",)
    readonly_fields = ("to",)

    @admin.display(description=_("接收人"))
    def to(self, notice):
        return notify.recipient(notice)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(ReadOnlyAdmin):
    list_display = ("name", "started_at", "finished_at", "succeeded", "summary")


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin, admin.ModelAdmin):
    """Writes go through gridgov.core.calendar_days, which moves the deadlines reaching into the
    changed days and audits the change (so AuditedAdmin's own entries are not written)."""

    list_display = ("date", "is_workday", "note")
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        moved = calendar_days.save_day(obj, actor=request.user)
        self._tell_moved(request, moved)

    def delete_model(self, request, obj):
        self._tell_moved(request, calendar_days.delete_days([obj], actor=request.user))

    def delete_queryset(self, request, queryset):
        self._tell_moved(request, calendar_days.delete_days(queryset, actor=request.user))

    def _tell_moved(self, request, moved: int) -> None:
        if moved:
            self.message_user(request, _("%(count)d 个未办结事项的时限已按新的工作日历调整。")
                              % {"count": moved})
