from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gridgov.core"
    label = "core"
    verbose_name = _("平台核心")

    def ready(self):
        from gridgov.core import notify, periodic, ratelimit

        periodic.register("core.deliver_notices", notify.deliver)
        nightly = {"every": periodic.DAILY, "hours": periodic.NIGHT}
        periodic.register("core.clear_sessions", periodic.command("clearsessions"), **nightly)
        periodic.register("core.clear_rate_counts",
                          lambda: f"rate counts deleted: {ratelimit.forget_ended()}", **nightly)
        periodic.register("core.forget_old_notices",
                          lambda: f"old notices deleted: {notify.forget_old()}", **nightly)
        periodic.register("core.analyze_db", periodic.command("analyze_db"), **nightly)
        from gridgov.core import audit_retention

        periodic.register("core.archive_audit", audit_retention.archive_old, **nightly)
