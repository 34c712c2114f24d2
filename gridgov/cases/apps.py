from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gridgov.cases"
    label = "cases"
    verbose_name = _("网格事件")

    def ready(self):
        from gridgov.accounts.roles import CASE_STAFF
        from gridgov.cases import deadlines, notifications, queues, search, sweep
        from gridgov.cases.workflow import CASE_WORKFLOW
        from gridgov.core import calendar_days, navigation, periodic
        from gridgov.core.workflow import event_recorded

        connection_created.connect(search.register_sqlite_functions,
                                   dispatch_uid="core.textsearch.register_sqlite_functions")
        post_migrate.connect(search.restore_sqlite_triggers, sender=self,
                             dispatch_uid="cases.search.restore_sqlite_triggers")
        # Notices about a move are written in its transaction; the tick delivers them.
        event_recorded.connect(notifications.on_event_recorded, sender=CASE_WORKFLOW,
                               dispatch_uid="cases.notifications.on_event_recorded")
        calendar_days.keeps_deadlines(deadlines.follow_calendar)
        periodic.register("cases.deadlines", sweep.sweep_deadlines)
        periodic.register("cases.search_index", search.catch_up)
        periodic.register("cases.sweep_photos", periodic.command("sweep_photos"),
                          every=periodic.DAILY, hours=periodic.NIGHT)
        navigation.register_todos(queues.todos)
        navigation.register(_("反映问题"), "cases:report", "报", order=10)
        navigation.register(_("查询进度"), "cases:track", "查", order=11)
        navigation.register(_("我的反映"), "cases:my_cases", "我", order=12, signed_in=True)
        navigation.register(_("工作台"), "cases:workbench", "办", roles=CASE_STAFF, order=20)
        navigation.register(_("事件地图"), "cases:case_map", "图", roles=CASE_STAFF, order=21)
