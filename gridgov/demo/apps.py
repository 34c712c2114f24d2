from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "gridgov.demo"
    label = "demo"
    verbose_name = _("新泾镇演示数据")
