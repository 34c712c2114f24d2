"""Who may open a page or call an endpoint, and how a single row is looked up: the one place every
app's views ask.

A role set opens a page (`@role_required(ROLES)`): signed out goes to the log-in page, signed in
without one of the roles gets 403. What a user may see of the rows is their scope
(`visible_to`); a row outside it answers 404 like one that does not exist, so ids cannot be
probed (`visible_or_404`). Superusers hold every role.
"""

from collections.abc import Iterable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from gridgov.core.scope import roles_of

NO_ROLE_MESSAGE = _("您没有权限访问此页面")


def has_role(user, roles: Iterable[str]) -> bool:
    """True for a signed-in user holding one of the roles in any scope, and for a superuser."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(roles_of(user) & frozenset(roles))


def require_role(user, roles: Iterable[str], message=NO_ROLE_MESSAGE) -> None:
    """PermissionDenied (403) unless has_role(): for endpoints that are not page views."""
    if not has_role(user, roles):
        raise PermissionDenied(str(message))


def role_required(roles: Iterable[str], message=NO_ROLE_MESSAGE):
    """A view decorator: signed in (else the log-in page) and holding one of the roles (else
    403 with the message)."""
    roles = frozenset(roles)

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require_role(request.user, roles, message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def visible_or_404(queryset, user, *, roles: Iterable[str] | None = None, **lookup):
    """The one row of queryset.visible_to(user, roles) matching lookup, else 404: a row out of
    scope looks like no row."""
    return get_object_or_404(queryset.visible_to(user, roles=roles), **lookup)
