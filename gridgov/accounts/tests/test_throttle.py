import pytest
from django.core.management import call_command
from django.urls import reverse

from gridgov.grids.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
THROTTLED = "登录失败次数过多，请稍后再试"


def fail(client, phone="13912345678", times=1):
    for _ in range(times):
        assert client.post(LOGIN, {"phone": phone, "password": "wrong-guess"}).status_code == 400


def sign_in(client, phone="13912345678"):
    return client.post(LOGIN, {"phone": phone, "password": PASSWORD})


@pytest.fixture(params=["locmem", "database"])
def cache_backend(request, settings):
    """Both caches a town runs on: in-process in tests, the database table in `make demo`.
    (The database cache's incr() resets a key's expiry, which once shortened the lock-out.)"""
    if request.param == "database":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                       "LOCATION": "gridgov_test_cache"}}
        call_command("createcachetable", verbosity=0)
    return request.param


def test_right_password_is_refused_after_max_failures_until_lockout_passes(
    client, user, settings, at_noon, cache_backend
):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_SECONDS = 900
    fail(client, times=3)

    refused = sign_in(client)
    assert refused.status_code == 429
    assert THROTTLED in refused.content.decode()
    assert "_auth_user_id" not in client.session

    at_noon.shift(890)
    assert sign_in(client).status_code == 429

    at_noon.shift(11)
    assert sign_in(client).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_one_failure_less_than_the_limit_still_lets_the_right_password_in(client, user, settings):
    fail(client, times=settings.LOGIN_MAX_FAILURES - 1)

    assert sign_in(client).status_code == 302


def test_success_starts_the_count_again(client, user, settings):
    fail(client, times=settings.LOGIN_MAX_FAILURES - 1)
    assert sign_in(client).status_code == 302
    client.logout()

    fail(client, times=settings.LOGIN_MAX_FAILURES - 1)
    assert sign_in(client).status_code == 302


def test_failures_older_than_the_lockout_period_are_forgotten(client, user, settings, at_noon):
    fail(client, times=settings.LOGIN_MAX_FAILURES - 1)
    at_noon.shift(settings.LOGIN_LOCKOUT_SECONDS + 1)
    fail(client)

    assert sign_in(client).status_code == 302


def test_a_locked_number_does_not_lock_another_number_from_the_same_address(client, user, settings):
    UserFactory(phone="13900000001")
    fail(client, times=settings.LOGIN_MAX_FAILURES)
    assert sign_in(client).status_code == 429

    assert sign_in(client, phone="13900000001").status_code == 302


def test_an_address_trying_many_numbers_is_paused_for_every_number(client, user, settings):
    settings.LOGIN_MAX_FAILURES = 2
    # An address gets four times a number's allowance, spread here over four numbers.
    for n in range(4):
        fail(client, phone=f"1370000000{n}", times=2)

    assert sign_in(client).status_code == 429
