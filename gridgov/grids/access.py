"""Who may open the registry's pages, and the querysets they start from.

Reading (map, lists, detail) is for the registry roles; import and export for the registry
editors, in the towns of their assignments. Anonymous users are sent to log in; a signed-in
user without the role gets 403; a row outside the user's scope is 404 (see visible_to)."""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import PII_ROLES, REGISTRY_EDITORS, REGISTRY_ROLES
from gridgov.core.access import role_required
from gridgov.grids.models import Community, Grid, GridStaff, Place, Town


READER_REFUSAL = _("需要网格管理相关角色")
EDITOR_REFUSAL = _("仅管理员可导入导出")

registry_reader = role_required(REGISTRY_ROLES, READER_REFUSAL)
registry_editor = role_required(REGISTRY_EDITORS, EDITOR_REFUSAL)


def visible_grids(user):
    return Grid.objects.visible_to(user, roles=REGISTRY_ROLES)


def visible_places(user):
    return Place.objects.visible_to(user, roles=REGISTRY_ROLES)


def visible_staff(user):
    return GridStaff.objects.visible_to(user, roles=REGISTRY_ROLES)


def visible_communities(user):
    return Community.objects.visible_to(user, roles=REGISTRY_ROLES)


def editable_towns(user):
    return Town.objects.visible_to(user, roles=REGISTRY_EDITORS)


def staff_with_full_phone_access(user, staff_ids) -> set[int]:
    """Of these grid posts, those whose phone the user may ask to see in full."""
    return set(GridStaff.objects.visible_to(user, roles=PII_ROLES).filter(pk__in=staff_ids)
               .values_list("pk", flat=True))
