"""The platform's own admin pages, and the bases every ModelAdmin of gridgov is built on:
AuditedAdmin (edits made in Django's admin reach the platform audit log, not only Django's
LogEntry) and ScopedAdmin / ScopedInline (an administrator sees and edits only their own scope)."""

import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.core import audit, calendar_days, notify, pii, scope
from gridgov.core.models import AuditEntry, CalendarDay, Notice, PeriodicTask
from gridgov.core.scope import ScopedQuerySet, ScopeKind

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


# The roles that administer on the admin site (accounts.roles.ADMIN_ROLES), named by accounts
# when it starts: core imports nothing above it.
admin_roles: set[str] = set()


def scoped(user, queryset):
    """The rows of `queryset` an administrator may see on the admin site: those within the
    scope of their administrator roles, through the model's own scope rules. A model without
    scope rules is shared by every town (the catalogue, the calendar)."""
    if isinstance(queryset, ScopedQuerySet):
        return queryset.visible_to(user, roles=admin_roles)
    return queryset


def may_edit_shared(user) -> bool:
    """Whether the user may edit what every town of the installation shares (the event
    catalogue, the working calendar): a superuser, or an administrator whose towns are all the
    installation's (a district's administrator; a town's admin where it is the only town)."""
    if user.is_superuser:
        return True
    towns = scope.kind(ScopeKind.TOWN).model.objects
    mine = scoped(user, towns.all()).values("pk")
    return towns.filter(pk__in=mine).exists() and not towns.exclude(pk__in=mine).exists()


class _ScopedChoices:
    """Every choice of a related row (select, raw id, many-to-many) is limited to the
    administrator's scope, so that a row out of it can be neither offered nor posted."""

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db).all()
        return scoped(request.user, queryset)


def _is_encrypted(model, name: str) -> bool:
    try:
        return isinstance(model._meta.get_field(name), pii.EncryptedTextField)
    except FieldDoesNotExist:
        return False


def _masked(name: str, value: str) -> str:
    return pii.mask_phone(value) if "phone" in name else pii.mask_id_number(value)


class PersonalDataForm(forms.ModelForm):
    """The form of every ScopedAdmin: a phone or ID number (an encrypted field) is never put
    back into the page. Its box starts empty, the saved value is shown masked beside it with a
    button to reveal it (audited), and a box left empty keeps the value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept = {}
        for name, field in self.fields.items():
            if not _is_encrypted(self._meta.model, name):
                continue
            current = self.initial.get(name) or ""
            self.initial[name] = ""
            if current:
                self._kept[name] = current
                field.required = False
                field.help_text = format_html(
                    '{}：{} <button type="submit" formaction="../reveal/{}/" formmethod="post" '
                    'class="button">{}</button>',
                    _("已保存（留空则不变）"), _masked(name, current), name, _("查看完整信息（留痕）"))

    def clean(self):
        data = super().clean()
        for name, current in self._kept.items():
            if not data.get(name):
                data[name] = current
        return data


class ScopedAdmin(_ScopedChoices, AuditedAdmin):
    """The base of every ModelAdmin of gridgov: audited (AuditedAdmin), and limited to the
    administrator's scope everywhere Django's admin reads rows: lists, search, filters, change
    and delete pages, actions (they act on the list's rows), inlines (ScopedInline), choices of
    related rows and autocompletes (which ask the related model's admin for its rows).

    A row out of scope answers 404, like a row that does not exist, so ids cannot be probed.
    Models without scope rules are shared by every town: any administrator reads them; only one
    whose towns are all the installation's edits them (may_edit_shared).
    Personal data is masked (PersonalDataForm) and revealed through pii.reveal(), audited.

        @admin.register(Grid)
        class GridAdmin(ScopedAdmin, admin.ModelAdmin): ..."""

    form = PersonalDataForm

    def get_queryset(self, request):
        return scoped(request.user, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("对象不存在"))
        return obj

    def get_list_filter(self, request):
        # A filter on a related row lists only the values found in the (scoped) rows, not
        # every town's names.
        return [
            (entry, admin.RelatedOnlyFieldListFilter)
            if isinstance(entry, str) and "__" not in entry
            and self.model._meta.get_field(entry).is_relation else entry
            for entry in super().get_list_filter(request)
        ]

    def _is_shared(self) -> bool:
        return not isinstance(self.model._default_manager.all(), ScopedQuerySet)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and (
            not self._is_shared() or may_edit_shared(request.user))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            not self._is_shared() or may_edit_shared(request.user))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            not self._is_shared() or may_edit_shared(request.user))

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        reveal = self.admin_site.admin_view(require_POST(self.reveal_view))
        return [path("<path:object_id>/reveal/<str:field>/", reveal,
                     name="%s_%s_reveal" % info), *super().get_urls()]

    def reveal_view(self, request, object_id, field):
        """One personal-data value in clear, for an administrator whose scope holds the row;
        pii.reveal() writes the audit entry."""
        obj = self.get_object(request, object_id)
        if not _is_encrypted(self.model, field):
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        value = pii.reveal(obj, field, actor=request.user,
                           may_reveal=lambda actor, row: self.has_view_permission(request, row))
        return TemplateResponse(request, "admin/core/reveal.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "object": obj,
            "label": self.model._meta.get_field(field).verbose_name, "value": value,
        })


class ScopedInline(_ScopedChoices):
    """The base of every inline of gridgov's admin pages: its rows and its choices are limited to
    the administrator's scope, as ScopedAdmin's are."""

    def get_queryset(self, request):
        return scoped(request.user, super().get_queryset(request))
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




class ReadOnlyAdmin(ScopedAdmin, admin.ModelAdmin):
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


RESCHEDULED = audit.register("core.periodictask.rescheduled", "定时任务改为下一次执行时运行")


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(ScopedAdmin, admin.ModelAdmin):
    """Shared by every town: any administrator reads the runs; only one whose towns are all the
    installation's (may_edit_shared) changes anything, and the one change is to let a task run
    at the next tick (a run stuck after a crash, a rollup wanted now). Nothing is typed in."""

    list_display = ("name", "started_at", "finished_at", "succeeded", "summary")
    readonly_fields = ("name", "started_at", "finished_at", "succeeded", "summary")
    actions = ("run_at_next_tick",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("下一次定时执行时运行"), permissions=["change"])
    def run_at_next_tick(self, request, queryset):
        with transaction.atomic():
            for task in queryset.select_for_update():
                PeriodicTask.objects.filter(pk=task.pk).update(started_at=None, finished_at=None)
                audit.record(RESCHEDULED, actor=request.user, target=task)


@admin.register(CalendarDay)
class CalendarDayAdmin(ScopedAdmin, admin.ModelAdmin):
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
