"""The demo app's own loaders: 新泾镇's registry, its grid teams and one log-in per role.

Each record is found by its natural key, so a second run changes nothing. Accounts and roles go
through the accounts actions (audited, with no actor: the loader acts for the platform).
"""

from django.apps import apps
from django.contrib.auth.models import Permission

from gridgov.accounts import actions
from gridgov.accounts.models import User
from gridgov.accounts.roles import RESIDENT_LABEL, Role
from gridgov.core.scope import ScopeKind
from gridgov.demo import layout, xinjing
from gridgov.demo.registry import DemoAccount, DemoContext, register
from gridgov.grids import lookup
from gridgov.grids.models import (
    Community,
    Department,
    DepartmentKind,
    Grid,
    GridStaff,
    Place,
    PlaceKind,
    StaffLine,
    StaffPosition,
    Town,
)


def xinjing_town() -> Town:
    return Town.objects.get(district_code=xinjing.TOWN["district_code"], code=xinjing.TOWN["code"])


@register("registry")
def load_registry(context: DemoContext) -> None:
    """Town, communities, grids, departments and places."""
    fields = dict(xinjing.TOWN)
    town, _ = Town.objects.update_or_create(
        district_code=fields.pop("district_code"), code=fields.pop("code"), defaults=fields
    )
    context.town = town
    communities = {
        seed.code: Community.objects.update_or_create(
            town=town, code=seed.code,
            defaults={"name": seed.name, "color": seed.color, "is_sample": seed.is_sample},
        )[0]
        for seed in xinjing.COMMUNITIES
    }
    cells = _load_grids(town, communities, context)
    _load_departments(town, communities)
    _load_places(town, cells, context)


def grid_cells(town, context) -> list[layout.Cell]:
    """The sketched grid layout, the same on every run (the base map's streets follow it)."""
    return layout.lattice(
        (town.longitude, town.latitude), xinjing.OUTLINE_WIDTH_M, xinjing.OUTLINE_HEIGHT_M,
        xinjing.ROWS, xinjing.COLS, context.random("grid-layout"),
    )


def _load_grids(town, communities, context) -> dict[int, layout.Cell]:
    cells = grid_cells(town, context)
    sequence_in_community: dict[str, int] = {}
    by_number = {}
    for number, cell in enumerate(cells, start=1):
        community = communities[xinjing.COMMUNITY_MAP[cell.row][cell.col]]
        sequence = sequence_in_community[community.code] = (
            sequence_in_community.get(community.code, 0) + 1
        )
        Grid.objects.update_or_create(town=town, number=number, defaults={
            "community": community,
            "name": xinjing.grid_name(number),
            # GB/T 30428 unit grid code: district, town, community, sequence in the community.
            "unit_code": f"{town.district_code}{town.code}{community.code}{sequence:03d}",
            "boundary": cell.geojson(),
            "signature_service": xinjing.SIGNATURE_SERVICES.get(number, ""),
            "is_sample": number not in xinjing.REAL_GRID_NUMBERS,
        })
        by_number[number] = cell
    return by_number


def _load_departments(town, communities) -> None:
    for seed in xinjing.DEPARTMENTS:
        Department.objects.update_or_create(town=town, name=seed.name, defaults={
            "kind": seed.kind,
            "community": communities[seed.community_code] if seed.community_code else None,
            "is_sample": seed.is_sample,
        })
    for community in communities.values():
        Department.objects.update_or_create(
            town=town, name=xinjing.neighbourhood_committee_name(community.name),
            defaults={"kind": DepartmentKind.NEIGHBOURHOOD, "community": community,
                      "is_sample": community.is_sample},
        )


def _load_places(town, cells, context) -> None:
    seeds = list(xinjing.REAL_PLACES)
    taken = {kind: 0 for kind in xinjing.SECOND_PLACES}
    rng = context.random("place-addresses")
    for number, cell in cells.items():
        kind = xinjing.SECOND_PLACE_KINDS[number - 1]
        second_name = xinjing.SECOND_PLACES[kind][taken[kind]]
        taken[kind] += 1
        for place_kind, name, (u, v) in (
            (PlaceKind.COMPOUND, xinjing.COMPOUNDS[number - 1], (0.3, 0.35)),
            (kind, second_name, (0.7, 0.65)),
        ):
            longitude, latitude = cell.point(u, v)
            address = f"{rng.choice(xinjing.ROADS)}{rng.randint(1, 999)}号"
            seeds.append(xinjing.PlaceSeed(place_kind, name, address, longitude, latitude, True))
    for seed in seeds:
        # The grid comes from the coordinates, never from the seed: the lookup is the one rule.
        found = lookup.locate(seed.longitude, seed.latitude, town=town)
        if found.assigned_grid_id is None:
            raise ValueError(f"demo place {seed.name} lies outside every grid of {town}")
        Place.objects.update_or_create(town=town, kind=seed.kind, name=seed.name, defaults={
            "grid_id": found.assigned_grid_id,
            "address": seed.address,
            "longitude": seed.longitude,
            "latitude": seed.latitude,
            "is_sample": seed.is_sample,
        })


def ensure_user(phone: str, name: str, password: str | None = None) -> User:
    """The user with this number, created if missing; name and password made as given."""
    user = User.objects.by_phone(phone).first()
    if user is None:
        return actions.create_user(actor=None, phone=phone, name=name, password=password)
    changed = []
    if user.name != name:
        user.name = name
        changed.append("name")
    if password and not user.check_password(password):
        user.set_password(password)
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
    return user


@register("people", after=("registry",))
def load_grid_teams(context: DemoContext) -> None:
    """Every grid's team, one post per line, each member also a grid_staff user of the grid."""
    rng = context.random("staff-names")
    for grid in Grid.objects.filter(town=xinjing_town()).order_by("number"):
        team = xinjing.GRID_FOUR_TEAM if grid.number == 4 else xinjing.TEAM
        for slot, post in enumerate(team, start=1):
            real_name = xinjing.REAL_STAFF.get((grid.number, post.position))
            name = real_name or rng.choice(xinjing.SURNAMES) + rng.choice(xinjing.GIVEN_NAMES)
            user = ensure_user(xinjing.staff_phone(grid.number, slot), name)
            _post(grid, user, post, is_sample=real_name is None)


def _post(grid, user, post, *, is_sample: bool) -> None:
    work_unit = xinjing.WORK_UNITS[post.line]
    if work_unit == "居委会":
        work_unit = xinjing.neighbourhood_committee_name(grid.community.name)
    GridStaff.objects.update_or_create(grid=grid, user=user, position=post.position, defaults={
        "line": post.line,
        "also_liaison": post.also_liaison,
        "work_unit": work_unit,
        "is_sample": is_sample,
    })
    actions.assign_role(user, Role.GRID_STAFF, ScopeKind.GRID, grid.pk, actor=None)


@register("demo_accounts", after=("registry", "people"))
def load_demo_accounts(context: DemoContext) -> None:
    """One log-in per role with the published demo password, listed at the end of load_demo."""
    town = xinjing_town()
    for seed in xinjing.DEMO_ACCOUNTS:
        user = ensure_user(seed.phone, seed.name, xinjing.DEMO_PASSWORD)
        if seed.role is None:
            context.accounts.append(DemoAccount(str(RESIDENT_LABEL), seed.phone, seed.name, "—"))
            continue
        scope = _scope(town, seed)
        # A demo loaded before its account's scope changed (the deputy was town-wide) keeps no
        # stale assignment beside the new one.
        for stale in user.role_assignments.exclude(role=seed.role, scope_kind=seed.scope_kind,
                                                   scope_id=scope.pk):
            actions.revoke_role(stale, actor=None)
        actions.assign_role(user, seed.role, seed.scope_kind, scope.pk, actor=None)
        if seed.role == Role.GRID_STAFF:
            _post(scope, user, xinjing.PostSeed(StaffPosition.MEMBER, StaffLine.CITY), is_sample=True)
        if seed.role == Role.ADMIN:
            _open_admin_site(user)
        context.accounts.append(DemoAccount(str(Role(seed.role).label), seed.phone, seed.name,
                                            str(scope)))


def _scope(town, seed):
    if seed.scope_kind == ScopeKind.GRID:
        return Grid.objects.get(town=town, number=seed.scope)
    if seed.scope_kind == ScopeKind.DEPARTMENT:
        return Department.objects.get(town=town, name=seed.scope)
    if seed.scope_kind == ScopeKind.COMMUNITY:
        return Community.objects.get(town=town, name=seed.scope)
    return town


def _open_admin_site(user) -> None:
    """The town's admin may use Django's admin site on gridgov's own models. Not a superuser:
    a superuser passes every scope and role check, which an administrator of one town should not."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    labels = [config.label for config in apps.get_app_configs() if config.name.startswith("gridgov.")]
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=labels))
