import pytest

from gridgov.accounts.tests.factories import UserFactory
from gridgov.grids.models import Department, DepartmentKind, Town


@pytest.fixture
def user(db):
    return UserFactory(phone="13912345678")


@pytest.fixture
def town(db):
    return Town.objects.create(name="新泾镇", district="长宁区", district_code="310105", code="013",
                               longitude=121.36, latitude=31.21)


@pytest.fixture
def department(town):
    return Department.objects.create(town=town, name="新泾综合行政执法队",
                                     kind=DepartmentKind.ENFORCEMENT)


@pytest.fixture
def at_noon(db):
    """Frozen time that a test moves on with at_noon.shift(seconds)."""
    import time_machine

    with time_machine.travel("2025-07-11 12:00:00 +0800", tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; these tests check who gets in, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
