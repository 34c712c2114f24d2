"""Admin: the town edits its catalogue and its new-sector register here (scoped to the
administrator's towns, audited); applications and visits are only looked at — applications move
through the workflow, visits are written by the team."""

from django.contrib import admin

from gridgov.core.admin import ReadOnlyAdmin, ScopedAdmin, ScopedInline

from .models import (
    Application,
    ApplicationEvent,
    Aspect,
    Organisation,
    ServiceCategory,
    ServiceItem,
    VisitNeed,
    VisitPlan,
    VisitRecord,
)


@admin.register(Aspect)
class AspectAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "town", "order", "is_sample")
    list_filter = ("town",)


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "aspect", "order", "is_sample")
    list_filter = ("aspect",)


@admin.register(ServiceItem)
class ServiceItemAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("code", "name", "category", "department", "partner", "response_days",
                    "is_active", "is_sample")
    list_filter = ("is_active", "category__aspect", "town")
    search_fields = ("code", "name", "description")
    list_select_related = ("category", "department")

    def has_delete_permission(self, request, obj=None):
        # Applications keep their item; switch an item off instead (启用).
        return False


class ReadOnlyInline(ScopedInline, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApplicationEventInline(ReadOnlyInline):
    model = ApplicationEvent
    fields = ("at", "action", "from_state", "to_state", "actor_label", "actor_unit", "note")
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("number", "item", "department", "state", "submitted_at", "due_at", "rating")
    list_filter = ("state", "department")
    search_fields = ("number", "organisation_name")
    list_select_related = ("item", "department")
    exclude = ("contact_phone", "contact_name")
    inlines = [ApplicationEventInline]


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "sector", "grid", "building", "has_party_org", "attached_to",
                    "work_covered", "is_sample")
    list_filter = ("sector", "has_party_org", "work_covered", "town")
    search_fields = ("name", "credit_code")
    list_select_related = ("grid", "building")


@admin.register(VisitPlan)
class VisitPlanAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("title", "grid", "starts_on", "due_on", "is_sample")
    list_filter = ("town",)


class NeedInline(ReadOnlyInline):
    model = VisitNeed
    fields = ("description", "state", "application", "case")
    readonly_fields = fields


@admin.register(VisitRecord)
class VisitRecordAdmin(ReadOnlyAdmin):
    list_display = ("visited_on", "organisation", "place", "grid", "visitors", "is_sample")
    list_filter = ("town",)
    exclude = ("people_met",)
    inlines = [NeedInline]
