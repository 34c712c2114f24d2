import pytest

from gridgov.grids.tests.factories import DepartmentFactory, TownFactory, UserFactory


@pytest.fixture
def user(db):
    return UserFactory(phone="13912345678")


@pytest.fixture
def town(db):
    return TownFactory(name="新泾镇", code="013")


@pytest.fixture
def department(town):
    return DepartmentFactory(town=town, name="新泾综合行政执法队")


@pytest.fixture
def at_noon(db):
    """Frozen time that a test moves on with at_noon.shift(seconds)."""
    import time_machine

    with time_machine.travel("2025-07-11 12:00:00 +0800", tick=False) as traveller:
        yield traveller
