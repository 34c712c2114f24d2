"""A small town for the registry's page and API tests.

Town 新泾镇 with communities north (grids A, B) and south (grid C), one place and one staff
post in each grid, and a second town whose admin must see none of it."""

from types import SimpleNamespace

import pytest

from gridgov.grids.tests.factories import (
    CommunityFactory,
    DepartmentFactory,
    GridFactory,
    GridStaffFactory,
    PlaceFactory,
    TownFactory,
    UserFactory,
    square,
    staff,
)


@pytest.fixture
def town(db):
    town = TownFactory(code="020")
    north = CommunityFactory(town=town, name="绿八居民区", code="001", color="#2563eb")
    south = CommunityFactory(town=town, name="新渔东路居民区", code="002", color="#16a34a")
    a = GridFactory(community=north, number=1, name="第一网格", boundary=square(121.0, 31.0))
    b = GridFactory(community=north, number=2, name="第二网格", boundary=square(121.01, 31.0))
    c = GridFactory(community=south, number=3, name="第三网格", boundary=square(121.02, 31.0))
    return SimpleNamespace(
        town=town, north=north, south=south, a=a, b=b, c=c,
        places={g.number: PlaceFactory(grid=g, name=f"{g.name}大楼", address=f"天山路{g.number}号")
                for g in (a, b, c)},
        posts={g.number: GridStaffFactory(grid=g, position="leader", user__name="夏秀宾")
               for g in (a, b, c)},
        department=DepartmentFactory(town=town, name="新泾综合行政执法队"),
    )


@pytest.fixture
def users(town):
    other_town = TownFactory(name="北新泾街道", code="021")
    return SimpleNamespace(
        admin=staff("admin", town.town),
        operator=staff("operator", town.town),
        leader=staff("leader", town.town),
        community_operator=staff("operator", town.south),
        grid_staff=staff("grid_staff", town.a),
        handler=staff("handler", town.department),
        other_admin=staff("admin", other_town),
        resident=UserFactory(),
    )
