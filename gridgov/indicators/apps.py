from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "gridgov.indicators"
    label = "indicators"
    verbose_name = _("统计分析")

    def ready(self):
        from gridgov.cases.signals import swept
        from gridgov.core import navigation
        from gridgov.indicators.figures import INDICATOR_ROLES

        # The deadline sweep makes open cases overdue without writing them: the rollup follows it.
        swept.connect(_refresh_rollup, dispatch_uid="indicators.rollup.refresh")
        navigation.register(_("统计分析"), "indicators:dashboard", "统", roles=INDICATOR_ROLES,
                            order=22)


def _refresh_rollup(sender, **kwargs) -> str:
    from gridgov.indicators import rollup

    return f"indicators rollup: {rollup.refresh()} days recounted"
