"""Scope: where a role assignment lets a user see and act.

A role assignment is (user, role, scope kind, scope id). Every list, map layer, export and single
lookup starts from `Model.objects.visible_to(user)`; a row outside it answers 404, like a row that
does not exist, so ids cannot be probed.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ScopeKind(models.TextChoices):
    TOWN = "town", _("镇/街道")
    COMMUNITY = "community", _("居民区")
    GRID = "grid", _("网格")
    DEPARTMENT = "department", _("部门")


def scope_ids(user, roles: Iterable[str] | None = None,
              readers: dict[str, frozenset[str]] | None = None) -> dict[str, set[int]]:
    """{scope kind: ids} over the user's role assignments, optionally only for some roles, and
    only those assignments `readers` ({role: scope kinds}) lets read, when given.

    Read once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cache = getattr(user, "_gridgov_assignments", None)
    if cache is None:
        cache = list(user.role_assignments.values_list("role", "scope_kind", "scope_id"))
        user._gridgov_assignments = cache
    wanted = set(roles) if roles is not None else None
    result: dict[str, set[int]] = defaultdict(set)
    for role, kind, scope_id in cache:
        if wanted is not None and role not in wanted:
            continue
        if readers is not None and kind not in readers.get(role, ()):
            continue
        result[kind].add(scope_id)
    return dict(result)


def roles_of(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    scope_ids(user)
    return {role for role, _kind, _id in user._gridgov_assignments}


def forget_assignments(user) -> None:
    user.__dict__.pop("_gridgov_assignments", None)


ScopeRule = Callable[[set[int]], Q]


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how each scope kind reaches its rows.

    Subclasses set `scope_rules`: {ScopeKind: function(ids) -> Q}. A kind without a rule sees
    nothing through that assignment. `readers`, when set, says which roles read these rows at
    all and through which of their scope kinds ({role: kinds}); a role not named reads nothing
    (None: every role, through every kind). Superusers see everything."""

    scope_rules: dict[str, ScopeRule] = {}
    readers: dict[str, frozenset[str]] | None = None

    def visible_to(self, user, roles: Iterable[str] | None = None):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(self.scope_condition(user, roles))

    def scope_condition(self, user, roles: Iterable[str] | None = None) -> Q:
        """The condition visible_to() filters a signed-in, non-superuser user's rows by: plain
        column tests OR-ed together, so that a subclass can add its own alternatives to them
        and the database still reads one table with its indexes."""
        condition = Q(pk__in=[])
        for kind, ids in scope_ids(user, roles, self.readers).items():
            rule = self.scope_rules.get(kind)
            if rule is not None:
                condition |= rule(ids)
        return condition
