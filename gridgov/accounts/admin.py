from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.accounts import actions
from gridgov.accounts.models import RoleAssignment, User
from gridgov.core import pii
from gridgov.core.admin import ScopedAdmin, ScopedInline
from gridgov.core.errors import Refusal


class RoleAssignmentForm(forms.ModelForm):
    actor = None  # the administrator, set per request by RoleAssignmentInline

    class Meta:
        model = RoleAssignment
        fields = ("role", "scope_kind", "scope_id")

    def clean(self):
        data = super().clean()
        if not self.errors and not self.cleaned_data.get("DELETE"):
            try:
                actions.check_assignment(data["role"], data["scope_kind"], data["scope_id"])
                actions.check_grant(self.actor, data["role"], data["scope_kind"],
                                    data["scope_id"])
            except Refusal as refusal:
                refusal.show_on(self)
        return data


class RoleAssignmentInline(ScopedInline, admin.TabularInline):
    """Roles are added or removed, never edited in place: each goes through the accounts
    actions (the same checks as everywhere, and an audit entry naming who did it)."""

    model = RoleAssignment
    form = RoleAssignmentForm
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = type("RoleAssignmentForm", (self.form,), {"actor": request.user})
        return super().get_formset(request, obj, **kwargs)


class SecondFactorFilter(admin.SimpleListFilter):
    """The accounts that must enrol an authenticator and have not (the administrator's home
    page counts them and links here)."""

    title = _("身份验证器")
    parameter_name = "second_factor"

    def lookups(self, request, model_admin):
        return [("missing", _("应绑定而未绑定"))]

    def queryset(self, request, queryset):
        return queryset.without_second_factor() if self.value() == "missing" else queryset


@admin.register(User)
class UserAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("masked", "masked_phone", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "role_assignments__role", SecondFactorFilter)
    exclude = ("password", "user_permissions", "groups", "last_login")
    inlines = [RoleAssignmentInline]
    search_fields = ("name",)  # the box; get_search_results also finds a full phone number
    search_help_text = _("输入姓名或完整手机号")
    ordering = ("-date_joined", "-pk")
    personal_fields = ("name",)  # the audit log names a changed name, never shows it

    actions = ["reset_two_factor"]

    @admin.display(description=_("姓名"))
    def masked(self, obj):
        return obj.masked_name

    @admin.action(description=_("重置身份验证器（下次登录时重新绑定）"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        refused = 0
        for user in queryset:
            try:
                actions.reset_two_factor(user, actor=request.user)
            except Refusal:
                refused += 1
        if refused:
            self.message_user(request, _("%(n)d 个账号的权限超出您的管理范围，未重置") % {"n": refused},
                              messages.WARNING)

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser makes another: a town's admin must not lift themselves past scope.
        return () if request.user.is_superuser else ("is_superuser",)

    def has_change_permission(self, request, obj=None):
        # An account holding a role the administrator could not grant (a district's
        # administrator, an operator of another town too) is shown, not changed.
        return super().has_change_permission(request, obj) and (
            obj is None or actions.may_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or actions.may_manage(request.user, obj))

    def get_search_results(self, request, queryset, search_term):
        # Phone numbers are encrypted: an exact number is found through its blind index.
        if search_term:
            index = pii.blind_index(pii.normalize_phone(search_term))
            return queryset.filter(Q(phone_index=index) | Q(name__contains=search_term)), False
        return queryset, False

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        added = formset.save(commit=False)
        for assignment in formset.deleted_objects:
            actions.revoke_role(assignment, actor=request.user)
        for assignment in added:
            actions.assign_role(form.instance, assignment.role, assignment.scope_kind,
                                assignment.scope_id, actor=request.user)
