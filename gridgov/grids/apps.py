from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "gridgov.grids"
    label = "grids"
    verbose_name = _("网格与地点")

    def ready(self):
        from gridgov.accounts.roles import REGISTRY_EDITORS, REGISTRY_ROLES
        from gridgov.core import navigation, scope
        from gridgov.grids import home

        # Roles are held in these; a role assignment's scope id names one of their rows.
        scope.register_kind(scope.ScopeKind.TOWN, _("镇/街道"), "grids.Town")
        scope.register_kind(scope.ScopeKind.COMMUNITY, _("居民区"), "grids.Community")
        scope.register_kind(scope.ScopeKind.GRID, _("网格"), "grids.Grid")
        scope.register_kind(scope.ScopeKind.DEPARTMENT, _("部门"), "grids.Department")

        navigation.register(_("网格地图"), "grids:map", icon="格", roles=REGISTRY_ROLES, order=20)
        navigation.register(_("网格数据导入导出"), "grids:transfer", icon="导",
                            roles=REGISTRY_EDITORS, order=90)
        navigation.register_panels(home.panels)
