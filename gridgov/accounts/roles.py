from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.scope import ScopeKind


class Role(models.TextChoices):
    """Staff roles; a user with no role assignment is a resident, shop owner or enterprise
    (居民/商户) and sees only what they reported or applied for."""

    GRID_STAFF = "grid_staff", _("网格员")
    HANDLER = "handler", _("处置部门人员")
    OPERATOR = "operator", _("城运中心")
    LEADER = "leader", _("镇领导")
    DEPUTY = "deputy", _("人大代表/党代表")
    PARTY_AFFAIRS = "party_affairs", _("党建办")
    ADMIN = "admin", _("管理员")
    DISTRICT_ADMIN = "district_admin", _("区级管理员")


RESIDENT_LABEL = _("居民/商户")

# Which scope kinds each role may hold.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.GRID_STAFF: frozenset({ScopeKind.GRID, ScopeKind.COMMUNITY}),
    Role.HANDLER: frozenset({ScopeKind.DEPARTMENT}),
    Role.OPERATOR: frozenset({ScopeKind.TOWN, ScopeKind.COMMUNITY}),
    Role.LEADER: frozenset({ScopeKind.TOWN, ScopeKind.COMMUNITY}),
    Role.DEPUTY: frozenset({ScopeKind.TOWN, ScopeKind.COMMUNITY}),
    Role.PARTY_AFFAIRS: frozenset({ScopeKind.TOWN, ScopeKind.COMMUNITY}),
    Role.ADMIN: frozenset({ScopeKind.TOWN}),
    # A district's administrator holds one town assignment per town of the district (a set of
    # towns), so every scope rule that knows a town knows the district's reach.
    Role.DISTRICT_ADMIN: frozenset({ScopeKind.TOWN}),
}

# Roles that administer their scope on the admin site (every page, list and choice there is
# limited to the towns these assignments name) and grant roles within it.
ADMIN_ROLES = frozenset({Role.ADMIN, Role.DISTRICT_ADMIN})
# Which roles each role may grant, inside its own scope only: never one above its own rights.
# A town's admin makes the town's staff and other admins; only a district's administrator (or
# the installation: a superuser, `gridgov create_staff`) makes a district's administrator.
GRANTABLE_ROLES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(Role.values) - {Role.DISTRICT_ADMIN},
    Role.DISTRICT_ADMIN: frozenset(Role.values),
}

# Roles that look after places and people in their scope (may see the registry, staff lists).
REGISTRY_ROLES = frozenset(
    {Role.GRID_STAFF, Role.OPERATOR, Role.LEADER, Role.PARTY_AFFAIRS, Role.ADMIN, Role.HANDLER}
)
# Roles that may ask to see a phone or ID number in full, within their scope.
PII_ROLES = frozenset({Role.GRID_STAFF, Role.OPERATOR, Role.ADMIN})
# Roles that may edit the grid registry (import, export, staff assignments).
REGISTRY_EDITORS = frozenset({Role.ADMIN})
# Town-wide staff of these roles sign in with two factors: a password or SMS code, then a code
# from an authenticator app (accounts.two_factor).
TWO_FACTOR_ROLES = frozenset({Role.OPERATOR, Role.LEADER, Role.ADMIN, Role.DISTRICT_ADMIN})
# Roles told that next year's holidays are missing: those who set deadlines or keep the calendar.
CALENDAR_WATCHERS = frozenset({Role.OPERATOR, Role.ADMIN, Role.DISTRICT_ADMIN})

# The case loop. Who works on cases: a workbench and the map of open cases. An administrator
# looks after accounts and the registry and may read the town's cases, but takes no step of
# the loop: the loop's steps name OPERATIONS_CENTRE and the other acting roles themselves.
CASE_STAFF = frozenset({Role.GRID_STAFF, Role.HANDLER, Role.OPERATOR, Role.LEADER, Role.ADMIN})
# The operations centre (城运中心): registers, dispatches, closes, decides extensions.
OPERATIONS_CENTRE = frozenset({Role.OPERATOR})
# Who supervises deadlines town-wide: the overdue queue, urging (督办).
CASE_SUPERVISORS = frozenset({Role.OPERATOR, Role.LEADER})
