from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("masked", "masked_phone", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "role_assignments__role")
    exclude = ("password", "user_permissions", "groups", "last_login")
    inlines = [RoleAssignmentInline]

    @admin.display(description=_("姓名"))
    def masked(self, obj):
        return obj.masked_name

    def get_search_results(self, request, queryset, search_term):
        # Phone numbers are encrypted: an exact number is found through its blind index.
        if search_term:
            return queryset.model.objects.by_phone(search_term) | queryset.filter(
                name__contains=search_term), False
        return queryset, False
