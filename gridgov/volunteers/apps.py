from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "gridgov.volunteers"
    label = "volunteers"
    verbose_name = _("志愿服务联盟")

    def ready(self):
        from gridgov.core import navigation, periodic
        from gridgov.core.workflow import event_recorded
        from gridgov.volunteers import actions, pages
        from gridgov.volunteers.models import ALLIANCE_ROLES
        from gridgov.volunteers.workflow import SIGNUP_WORKFLOW, VOLUNTEER_WORKFLOW

        event_recorded.connect(actions.on_signup_event, sender=SIGNUP_WORKFLOW,
                               dispatch_uid="volunteers.on_signup_event")
        event_recorded.connect(actions.on_volunteer_event, sender=VOLUNTEER_WORKFLOW,
                               dispatch_uid="volunteers.on_volunteer_event")
        periodic.register("volunteers.close_attendance", actions.close_attendance)
        navigation.register(_("志愿服务"), "volunteers:calendar", "志", order=30)
        navigation.register(_("志愿者台账"), "volunteers:ledger", "时", roles=ALLIANCE_ROLES,
                            order=31)
        navigation.register_todos(pages.todos)
