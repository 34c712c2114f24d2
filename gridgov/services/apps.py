from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "gridgov.services"
    label = "services"
    verbose_name = _("泾彩满格服务")

    def ready(self):
        from gridgov.core import navigation, periodic, textsearch
        from gridgov.core.workflow import event_recorded
        from gridgov.services import deadlines, notifications, queues, search
        from gridgov.services.rules import COVERAGE_READERS, PROVIDERS, VISIT_TEAM
        from gridgov.services.workflow import APPLICATION_WORKFLOW

        # The pair index's triggers call gridgov_pairs() (registered once, cases do it too).
        connection_created.connect(textsearch.register_sqlite_functions,
                                   dispatch_uid="core.textsearch.register_sqlite_functions")
        post_migrate.connect(search.restore_sqlite_triggers, sender=self,
                             dispatch_uid="services.search.restore_sqlite_triggers")
        event_recorded.connect(notifications.on_event_recorded, sender=APPLICATION_WORKFLOW,
                               dispatch_uid="services.notifications.on_event_recorded")
        periodic.register("services.deadlines", deadlines.sweep_deadlines)
        navigation.register_todos(queues.todos)
        navigation.register(_("服务清单"), "services:catalogue", "服", order=30)
        navigation.register(_("服务申请"), "services:queue", "单", roles=PROVIDERS, order=31)
        navigation.register(_("走访服务"), "services:visits", "访", roles=VISIT_TEAM, order=32)
        navigation.register(_("两个覆盖"), "services:coverage", "覆", roles=COVERAGE_READERS,
                            order=33)
