"""An administrator's to-dos on the home page (core.navigation): the facts the platform already
counts that ask for an administrator's hand — accounts that must enrol an authenticator and have
not, a coming year whose holidays are not on record, periodic tasks whose last run failed. Each
leads to the admin-site page where it is done (only for an account that may open that page;
otherwise the count is shown without a link)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import ADMIN_ROLES
from gridgov.core import workdays
from gridgov.core.models import CalendarDay, PeriodicTask
from gridgov.core.navigation import Todo


def todos(user, roles: set[str]) -> list[Todo]:
    if not (roles & ADMIN_ROLES or user.is_superuser):
        return []

    def admin_page(model, query: str = "") -> str:
        meta = model._meta
        if not (user.is_staff and user.has_perm(f"{meta.app_label}.view_{meta.model_name}")):
            return ""
        return f"{reverse(f'admin:{meta.app_label}_{meta.model_name}_changelist')}{query}"

    shown = [Todo(_("应绑定而未绑定身份验证器的账号"),
                  User.objects.visible_to(user, roles=ADMIN_ROLES).without_second_factor().count(),
                  admin_page(User, "?second_factor=missing"))]
    year = workdays.unknown_year_ahead()
    if year is not None:
        shown.append(Todo(_("%(year)d年节假日和调休待录入") % {"year": year}, 1,
                          admin_page(CalendarDay)))
    shown.append(Todo(_("上次运行失败的定时任务"), PeriodicTask.objects.filter(succeeded=False).count(),
                      admin_page(PeriodicTask, "?succeeded__exact=0")))
    return shown
