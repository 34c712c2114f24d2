"""What the home page shows party-affairs staff (党建办) beside their to-dos: their grids and
the party line of the grid teams, with the way to the grid map, the one page of the platform
their role opens until party work has pages of its own (core.navigation panels)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.accounts.roles import Role
from gridgov.core.navigation import Panel
from gridgov.grids.models import Community, Grid, GridStaff, StaffLine


def panels(user, roles: set[str]) -> list[Panel]:
    if Role.PARTY_AFFAIRS not in roles:
        return []
    reader = {Role.PARTY_AFFAIRS}
    grids = Grid.objects.visible_to(user, roles=reader)
    party_posts = GridStaff.objects.visible_to(user, roles=reader).filter(line=StaffLine.PARTY)
    without_party = grids.exclude(pk__in=party_posts.values("grid_id")).count()
    return [Panel(
        title=_("网格与党建网格员"),
        figures=((_("居民区"), f"{Community.objects.visible_to(user, roles=reader).count():,}"),
                 (_("网格"), f"{grids.count():,}"),
                 (_("党建网格员"), f"{party_posts.values('user_id').distinct().count():,}"),
                 (_("没有党建网格员的网格"), f"{without_party:,}")),
        url=reverse("grids:map"),
        link_label=_("打开网格地图（网格团队、地点）"),
        note=_("党建工作的页面尚在建设中；网格团队的成员和分工可在网格地图上点开网格查看。"),
    )]
