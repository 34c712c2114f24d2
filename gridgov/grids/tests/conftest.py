"""A small town for the registry's page and API tests.

Town 新泾镇 with communities north (grids A, B) and south (grid C), one place and one staff
post in each grid, and a second town whose admin must see none of it."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connections

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


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"


@pytest.fixture
def chromium(live_server, monkeypatch):
    """Debian's Chromium through Playwright, for the browser tests (screenshots to SHOTS)."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # ORM calls made while Playwright ran got connections of their own (Django keeps them
        # per context): close them, or PostgreSQL's test database cannot be dropped.
        connections.close_all()
