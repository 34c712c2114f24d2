from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gridgov.accounts"
    label = "accounts"
    verbose_name = _("账号与角色")

    def ready(self):
        from gridgov.accounts.roles import CALENDAR_WATCHERS
        from gridgov.core import context_processors

        context_processors.calendar_watchers.update(CALENDAR_WATCHERS)
