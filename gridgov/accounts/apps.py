from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gridgov.accounts"
    label = "accounts"
    verbose_name = _("账号与角色")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from gridgov.accounts import home
        from gridgov.accounts.middleware import note_sign_in
        from gridgov.accounts.roles import ADMIN_ROLES, CALENDAR_WATCHERS
        from gridgov.core import admin as core_admin
        from gridgov.core import context_processors, navigation

        context_processors.calendar_watchers.update(CALENDAR_WATCHERS)
        core_admin.admin_roles.update(ADMIN_ROLES)
        user_logged_in.connect(note_sign_in, dispatch_uid="gridgov.accounts.note_sign_in")
        navigation.register_todos(home.todos)
