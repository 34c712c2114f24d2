"""The alliance in Django's admin: scoped to the administrator's towns (core.admin.ScopedAdmin),
personal data masked (names listed masked, phone and ID numbers never put into the page),
sign-ups and the hours ledger read-only (they change only through the workflows)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gridgov.core import pii
from gridgov.core.admin import ReadOnlyAdmin, ScopedAdmin
from gridgov.volunteers.models import (
    Activity,
    Organisation,
    Organiser,
    Project,
    SignatureService,
    Signup,
    Skill,
    Volunteer,
)


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "kind", "town", "grid", "is_sample")
    list_filter = ("kind", "town")
    search_fields = ("name",)


@admin.register(Organiser)
class OrganiserAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("__str__",)
    list_select_related = ("organisation", "user")
    raw_id_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "theme", "lead", "town", "is_sample")
    filter_horizontal = ("grids",)


@admin.register(SignatureService)
class SignatureServiceAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("grid", "name", "project", "is_sample")
    list_select_related = ("grid", "project")


@admin.register(Skill)
class SkillAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "code", "order")


@admin.register(Volunteer)
class VolunteerAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("masked_name", "masked_phone", "organisation", "state", "total_services",
                    "is_sample")
    list_filter = ("state", "town")
    list_select_related = ("organisation",)
    personal_fields = ("name", "guardian_name")
    fields = ("town", "organisation", "project", "name", "phone", "id_number", "birth_date",
              "guardian_name", "guardian_phone", "consent_method", "consent_at", "state",
              "skills", "grids", "availability", "total_minutes", "total_services", "is_sample")
    # State and the ledger's figures change only through the workflow and check-outs.
    readonly_fields = ("state", "consent_at", "total_minutes", "total_services")
    raw_id_fields = ("grids",)

    @admin.display(description=_("姓名"))
    def masked_name(self, volunteer):
        return pii.mask_name(volunteer.name)

    @admin.display(description=_("手机号"))
    def masked_phone(self, volunteer):
        return volunteer.masked_phone


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("title", "grid", "project", "starts_at", "capacity", "confirmed_count",
                    "waiting_count", "state", "is_sample")
    list_filter = ("state", "project")
    list_select_related = ("grid", "project")
    readonly_fields = ("confirmed_count", "waiting_count", "state")


@admin.register(Signup)
class SignupAdmin(ReadOnlyAdmin):
    list_display = ("activity", "__str__", "state", "checked_in_at", "checked_out_at", "minutes",
                    "corrected")
    list_filter = ("state",)
    list_select_related = ("activity", "volunteer")
