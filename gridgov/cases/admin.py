"""Admin: the town edits its catalogue here; cases are only looked at (they move through the
workflow, never by editing a row)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridgov.core.admin import ScopedAdmin, ScopedInline

from .models import Case, CaseEvent, CaseParticipant, CasePhoto, Category, ExtensionRequest

CATEGORY_FIELDS = ("kind", "major_code", "major_name", "minor_code", "name", "plain_name",
                   "keywords", "department_kind", "time_limit_class", "time_limit_days",
                   "time_limit_hours", "urgency", "emergency_notice", "is_active")


@admin.register(Category)
class CategoryAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("code", "major_name", "name", "plain_name", "department_kind",
                    "time_limit_class", "time_limit_days", "time_limit_hours", "urgency",
                    "is_active")
    list_editable = ("time_limit_days", "time_limit_hours", "is_active")
    list_filter = ("kind", "major_name", "department_kind", "time_limit_class", "urgency",
                   "is_active")
    search_fields = ("name", "plain_name", "keywords", "major_name")
    fields = CATEGORY_FIELDS

    @admin.display(description=_("代码"), ordering="major_code")
    def code(self, obj):
        return obj.code

    def has_delete_permission(self, request, obj=None):
        # Cases keep their category for ever; switch a 小类 off instead (启用).
        return False


class ReadOnlyInline(ScopedInline, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("at", "action", "from_state", "to_state", "actor_label", "department", "note")
    readonly_fields = fields


class PhotoInline(ReadOnlyInline):
    model = CasePhoto
    fields = ("phase", "image", "uploaded_at")
    readonly_fields = fields


class ParticipantInline(ReadOnlyInline):
    model = CaseParticipant
    fields = ("department", "called_at", "reported_at", "note")
    readonly_fields = fields


class ExtensionInline(ReadOnlyInline):
    model = ExtensionRequest
    fields = ("requested_at", "working_days", "reason", "status", "decided_at")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("number", "state", "category", "grid", "department", "reported_at", "due_at",
                    "is_sample")
    list_filter = ("state", "source", "urgency", "is_self_handled", "is_sample")
    search_fields = ("number", "=tracking_code")
    list_select_related = ("category", "grid", "department")
    # Counting every case of a city for the "N total" line is the slow part of the list.
    show_full_result_count = False
    date_hierarchy = "reported_at"
    inlines = (EventInline, PhotoInline, ParticipantInline, ExtensionInline)
    # The reporter's name and phone and the tracking code (the key to the case's public page)
    # are shown masked; the case page reveals the contact, audited.
    PERSONAL = ("reporter_name", "reporter_phone", "tracking_code")
    exclude = PERSONAL

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in Case._meta.concrete_fields if f.name not in self.PERSONAL]
        return [*names, "reporter_contact", "masked_tracking_code"]

    @admin.display(description=_("上报人"))
    def reporter_contact(self, obj):
        if not (obj.reporter_name or obj.reporter_phone):
            return "—"
        return format_html('{} {} <a href="{}">{}</a>', obj.masked_reporter_name,
                           obj.masked_reporter_phone, reverse("cases:case_detail", args=[obj.pk]),
                           _("在事件页查看完整联系方式（留痕）"))

    @admin.display(description=_("查询码"))
    def masked_tracking_code(self, obj):
        return obj.masked_tracking_code

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the change page shows the case read-only
