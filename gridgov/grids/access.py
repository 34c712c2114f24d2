"""Who may open the registry's pages, and the querysets they start from.

Reading (map, lists, detail) is for the registry roles; import and export for the registry
editors, in the towns of their assignments. Anonymous users are sent to log in; a signed-in
user without the role gets 403; a row outside the user's scope is 404 (see visible_to)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from gridgov.accounts.roles import PII_ROLES, REGISTRY_EDITORS, REGISTRY_ROLES
from gridgov.core.scope import roles_of
from gridgov.grids.models import Community, Grid, GridStaff, Place, Town


def can_read_registry(user) -> bool:
    return user.is_superuser or bool(roles_of(user) & REGISTRY_ROLES)


def can_edit_registry(user) -> bool:
    return user.is_superuser or bool(roles_of(user) & REGISTRY_EDITORS)


def _requiring(check):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


registry_reader = _requiring(can_read_registry)
registry_editor = _requiring(can_edit_registry)


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
