from django.contrib import admin

from gridgov.core.admin import ScopedAdmin, ScopedInline
from gridgov.grids.lookup import assign_grid
from gridgov.grids.models import Community, Department, Grid, GridStaff, Place, Town


@admin.register(Town)
class TownAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "district", "district_code", "code", "is_sample")

    def has_add_permission(self, request):
        # A new town is the installation's business: it lies in no administrator's scope yet.
        return request.user.is_superuser


@admin.register(Community)
class CommunityAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "town", "code", "is_sample")
    list_filter = ("town",)


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "kind", "town", "is_sample")
    list_filter = ("kind",)
    search_fields = ("name",)


class GridStaffInline(ScopedInline, admin.TabularInline):
    model = GridStaff
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Grid)
class GridAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("number", "name", "community", "unit_code", "is_sample")
    list_filter = ("community",)
    search_fields = ("name", "unit_code")
    inlines = [GridStaffInline]


@admin.register(Place)
class PlaceAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "kind", "grid", "address", "is_sample")
    list_filter = ("kind",)
    search_fields = ("name", "address")
    list_select_related = ("grid",)
    # A place's grid follows from its coordinates, never typed in.
    readonly_fields = ("grid",)

    def save_model(self, request, obj, form, change):
        assign_grid(obj)
        super().save_model(request, obj, form, change)
