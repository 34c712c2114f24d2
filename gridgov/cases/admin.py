"""Admin: the town edits its catalogue here; cases are only looked at (they move through the
workflow, never by editing a row)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gridgov.core.admin import AuditedAdmin

from .models import Case, CaseEvent, CaseParticipant, CasePhoto, Category, ExtensionRequest

CATEGORY_FIELDS = ("kind", "major_code", "major_name", "minor_code", "name", "plain_name",
                   "keywords", "department_kind", "time_limit_class", "time_limit_days",
                   "time_limit_hours", "urgency", "is_active")


@admin.register(Category)
class CategoryAdmin(AuditedAdmin, admin.ModelAdmin):
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


class ReadOnlyInline(admin.TabularInline):
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
class CaseAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("number", "state", "category", "grid", "department", "reported_at", "due_at",
                    "is_sample")
    list_filter = ("state", "source", "urgency", "is_self_handled", "is_sample")
    search_fields = ("number", "tracking_code")
    list_select_related = ("category", "grid", "department")
    # Counting every case of a city for the "N total" line is the slow part of the list.
    show_full_result_count = False
    date_hierarchy = "reported_at"
    inlines = (EventInline, PhotoInline, ParticipantInline, ExtensionInline)
    exclude = ("reporter_phone",)  # shown masked below; the full number goes through pii.reveal

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in Case._meta.concrete_fields if f.name != "reporter_phone"]
        return [*names, "masked_reporter_phone"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the change page shows the case read-only
