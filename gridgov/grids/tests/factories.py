"""Factories for the registry, shared by every app's tests.

Grids are squares laid out by sequence on one plane (40 per row, 0.01° wide), so any number of
them tile without overlapping, whatever town or community they belong to.
"""

from functools import lru_cache

import factory
from django.contrib.auth.hashers import make_password

from gridgov.accounts.actions import assign_role
from gridgov.accounts.models import User
from gridgov.core.scope import kind_of_model
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

PASSWORD = "pw-Xinjing-2025"
ORIGIN = (121.30, 31.15)
CELL = 0.01
TILES_PER_ROW = 40
COLORS = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#4d7c0f", "#be185d"]
NAMES = ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴芳", "欧阳晓明"]


def square(west: float, south: float, size: float = CELL) -> dict:
    east, north = west + size, south + size
    return {"type": "Polygon",
            "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]}


def tile(n: int) -> dict:
    """The n-th square of the plane."""
    col, row = n % TILES_PER_ROW, n // TILES_PER_ROW
    return square(round(ORIGIN[0] + col * CELL, 6), round(ORIGIN[1] + row * CELL, 6))


def centre(boundary: dict) -> tuple[float, float]:
    ring = boundary["coordinates"][0][:-1]
    return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town

    name = "新泾镇"
    district = "长宁区"
    district_code = "310105"
    code = factory.Sequence(lambda n: f"{n % 1000:03d}")
    longitude = 121.38
    latitude = 31.21


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"示例居民区{n}")
    code = factory.Sequence(lambda n: f"{n % 1000:03d}")
    color = factory.Sequence(lambda n: COLORS[n % len(COLORS)])


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"示例部门{n}")
    kind = DepartmentKind.ENFORCEMENT


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    community = factory.SubFactory(CommunityFactory)
    town = factory.LazyAttribute(lambda o: o.community.town)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"第{o.number}网格")
    # The last three digits from a sequence of their own, not the grid's number: a test's grids
    # with numbers given (1, 2 …) never meet a later one numbered 1001 in the same community.
    unit_code = factory.LazyAttributeSequence(
        lambda o, n: f"{o.town.district_code}{o.town.code}{o.community.code}{n % 1000:03d}"
    )
    boundary = factory.Sequence(tile)


class PlaceFactory(factory.django.DjangoModelFactory):
    """A place at the centre of its grid (pass grid=None and coordinates to place it freely)."""

    class Meta:
        model = Place

    grid = factory.SubFactory(GridFactory)
    town = factory.LazyAttribute(lambda o: o.grid.town if o.grid else TownFactory())
    kind = PlaceKind.BUILDING
    name = factory.Sequence(lambda n: f"示例地点{n}")
    address = factory.Sequence(lambda n: f"新泾路{n + 1}号")
    longitude = factory.LazyAttribute(lambda o: centre(o.grid.boundary)[0] if o.grid else ORIGIN[0])
    latitude = factory.LazyAttribute(lambda o: centre(o.grid.boundary)[1] if o.grid else ORIGIN[1])


@lru_cache(maxsize=4)
def _password_hash(password: str) -> str:
    # Hashing is slow on purpose; one hash serves every factory user.
    return make_password(password)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    phone = factory.Sequence(lambda n: f"1390000{n % 10000:04d}")
    name = factory.Sequence(lambda n: NAMES[n % len(NAMES)])

    @classmethod
    def _create(cls, model_class, *args, password=PASSWORD, **kwargs):
        user = model_class(**kwargs)
        user.password = _password_hash(password)
        user.save()
        return user


class GridStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridStaff

    grid = factory.SubFactory(GridFactory)
    user = factory.SubFactory(UserFactory)
    position = StaffPosition.MEMBER
    line = StaffLine.SAFETY


def staff(role: str, scope_obj, **user_fields) -> User:
    """A user holding `role` within `scope_obj` (a Town, Community, Grid or Department)."""
    user = UserFactory(**user_fields)
    assign_role(user, role, kind_of_model(type(scope_obj)).value, scope_obj.pk, actor=None)
    return user
