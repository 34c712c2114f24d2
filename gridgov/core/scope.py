"""Scope: where a role assignment lets a user see and act.

A role assignment is (user, role, scope kind, scope id). Every list, map layer, export and single
lookup starts from `Model.objects.visible_to(user)`; a row outside it answers 404, like a row that
does not exist, so ids cannot be probed.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q


class ScopeKind(StrEnum):
    """The kinds the grid registry registers (gridgov.grids.apps), named here because roles and
    rules below the registry refer to them. Other apps register kinds of their own by value."""

    TOWN = "town"
    COMMUNITY = "community"
    GRID = "grid"
    DEPARTMENT = "department"


@dataclass(frozen=True)
class RegisteredKind:
    """A scope kind: its value (stored in RoleAssignment.scope_kind), its label, and the model
    whose rows its ids name ("app_label.ModelName"), found by id or by `name_field`."""

    value: str
    label: object
    model_label: str
    name_field: str = "name"

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    def records(self, ids: Iterable[int]) -> dict[int, models.Model]:
        return self.model.objects.in_bulk(list(ids))

    def exists(self, scope_id: int) -> bool:
        return self.model.objects.filter(pk=scope_id).exists()

    def ids_named(self, name: str, limit: int = 2) -> list[int]:
        return list(self.model.objects.filter(**{self.name_field: name})
                    .values_list("pk", flat=True)[:limit])


_KINDS: dict[str, RegisteredKind] = {}


def register_kind(value: str, label, model_label: str, *, name_field: str = "name") -> None:
    """Called from an app's AppConfig.ready(). Registering the same kind again is harmless;
    another model under a registered value is a configuration error."""
    kind = RegisteredKind(str(value), label, model_label, name_field)
    known = _KINDS.setdefault(kind.value, kind)
    if known.model_label != kind.model_label:
        raise ImproperlyConfigured(f"scope kind {kind.value!r} is {known.model_label} already")


def kind(value: str) -> RegisteredKind:
    """The registered kind; LookupError for a value no app registered."""
    try:
        return _KINDS[value]
    except KeyError:
        raise LookupError(f"unknown scope kind {value!r}") from None


def kind_of_model(model) -> RegisteredKind:
    label = model._meta.label
    for registered in _KINDS.values():
        if registered.model_label == label:
            return registered
    raise LookupError(f"no scope kind holds {label}")


def kind_choices() -> list[tuple[str, object]]:
    """(value, label) of every registered kind: RoleAssignment.scope_kind's choices."""
    return [(k.value, k.label) for k in _KINDS.values()]


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


def scope_rule(path: str, *, via: str = "", column: str = "") -> ScopeRule:
    """The rule "rows whose `path` (a column, or a lookup across relations) holds one of the
    kind's ids"; with `via` ("app_label.Model", the kind's records), rows whose `path` holds the
    `column` of one of those records: a department reaches its town's rows by
    scope_rule("town_id", via="grids.Department", column="town_id")."""
    lookup = f"{path}__in"
    if not via:
        return lambda ids: Q(**{lookup: ids})
    return lambda ids: Q(**{lookup: apps.get_model(via).objects.filter(pk__in=ids).values(column)})


def placed_rules(*, town: str | None = "town_id", community: str | None = "community_id",
                 grid: str | None = "grid_id") -> dict[str, ScopeRule]:
    """The rules of a row placed in a town, a community and a grid: each of those kinds sees the
    rows whose column (or lookup) holds one of its ids. None leaves a kind out."""
    paths = {ScopeKind.TOWN: town, ScopeKind.COMMUNITY: community, ScopeKind.GRID: grid}
    return {k: scope_rule(path) for k, path in paths.items() if path}


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how each scope kind reaches its rows.

    Subclasses set `scope_rules`: {ScopeKind: function(ids) -> Q}. A kind without a rule sees
    nothing through that assignment. `readers`, when set, says which roles read these rows at
    all and through which of their scope kinds ({role: kinds}); a role not named reads nothing
    (None: every role, through every kind). Superusers see everything."""

    scope_rules: dict[str, ScopeRule] = {}
    readers: dict[str, frozenset[str]] | None = None
    # The column naming the person a row is theirs (a case's reporter, an application's
    # applicant): they read it whatever their roles, unless `roles` asks only what those roles
    # see (a queue, an indicator).
    owner_field: str | None = None

    def visible_to(self, user, roles: Iterable[str] | None = None):
        """Rows in the user's scope (and their own rows): one condition on the row itself, so
        that a list over a town's million rows stays an index walk."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        condition = self.scope_condition(user, roles)
        if roles is None and self.owner_field:
            condition |= Q(**{self.owner_field: user})
        return self.filter(condition)

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
