from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "gridgov.indicators"
    label = "indicators"
    verbose_name = _("统计分析")

    def ready(self):
        from gridgov.core import navigation, periodic
        from gridgov.indicators import checks, home, rollup  # noqa: F401  (checks registers itself)
        from gridgov.indicators.figures import INDICATOR_ROLES

        # Registered after the cases app's deadline sweep, so every tick counts what it marked.
        periodic.register("indicators.rollup_refresh",
                          lambda: f"{rollup.refresh()} days recounted (and their months)")
        periodic.register("indicators.rollup_rebuild",
                          periodic.command("cases_rollup", "--rebuild"),
                          every=periodic.DAILY, hours=periodic.NIGHT)
        navigation.register(_("统计分析"), "indicators:dashboard", "统", roles=INDICATOR_ROLES,
                            order=22)
        navigation.register_panels(home.panels)
