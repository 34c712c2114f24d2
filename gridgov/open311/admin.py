"""Open311 keys in the admin: a key is issued on adding (shown once), later only switched on or
off; never deleted, so that the cases it posted keep naming it."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _

from gridgov.core.admin import ScopedAdmin
from gridgov.open311 import keys
from gridgov.open311.models import Open311Key


@admin.register(Open311Key)
class Open311KeyAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "town", "prefix", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active", "town")
    list_select_related = ("town",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("town", "name")
        return ("town", "name", "prefix", "is_active", "created_at", "last_used_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("town", "name", "prefix", "created_at", "last_used_at")

    def save_model(self, request, obj, form, change):
        if not change:
            raw = keys.issue_key(obj, actor=request.user)
            messages.warning(request, _("接口密钥（只显示这一次，请当面或加密交给使用方）：%(key)s")
                             % {"key": raw})
        elif "is_active" in form.changed_data:
            keys.set_active(Open311Key.objects.get(pk=obj.pk), obj.is_active, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False
