from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gridgov.cases"
    label = "cases"
    verbose_name = _("网格事件")

    def ready(self):
        from gridgov.cases import notifications, queues, search
        from gridgov.cases.indicators import INDICATOR_ROLES
        from gridgov.cases.views.access import STAFF_ROLES
        from gridgov.core import navigation
        from gridgov.core.workflow import transitioned

        connection_created.connect(search.register_sqlite_functions,
                                   dispatch_uid="cases.search.register_sqlite_functions")
        post_migrate.connect(search.restore_sqlite_triggers, sender=self,
                             dispatch_uid="cases.search.restore_sqlite_triggers")
        # Notices about a move leave after its commit; a failing sender never undoes it.
        transitioned.connect(notifications.on_transition,
                             dispatch_uid="cases.notifications.on_transition")
        navigation.register_todos(queues.todos)
        navigation.register(_("反映问题"), "cases:report", "报", order=10)
        navigation.register(_("查询进度"), "cases:track", "查", order=11)
        navigation.register(_("工作台"), "cases:workbench", "办", roles=STAFF_ROLES, order=20)
        navigation.register(_("事件地图"), "cases:case_map", "图", roles=STAFF_ROLES, order=21)
        navigation.register(_("统计分析"), "indicators:dashboard", "统", roles=INDICATOR_ROLES,
                            order=22)
