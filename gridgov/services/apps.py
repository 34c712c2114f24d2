from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "gridgov.services"
    label = "services"
    verbose_name = _("泾彩满格服务")

    def ready(self):
        from gridgov.core import navigation, periodic
        from gridgov.core.workflow import event_recorded
        from gridgov.services import deadlines, notifications, queues
        from gridgov.services.rules import COVERAGE_READERS, PROVIDERS, VISIT_TEAM
        from gridgov.services.workflow import APPLICATION_WORKFLOW

        event_recorded.connect(notifications.on_event_recorded, sender=APPLICATION_WORKFLOW,
                               dispatch_uid="services.notifications.on_event_recorded")
        periodic.register("services.deadlines", deadlines.sweep_deadlines)
        navigation.register_todos(queues.todos)
        navigation.register(_("服务清单"), "services:catalogue", "服", order=30)
        navigation.register(_("服务申请"), "services:queue", "单", roles=PROVIDERS, order=31)
        navigation.register(_("走访服务"), "services:visits", "访", roles=VISIT_TEAM, order=32)
        navigation.register(_("两个覆盖"), "services:coverage", "覆", roles=COVERAGE_READERS,
                            order=33)
