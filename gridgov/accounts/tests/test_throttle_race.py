"""The log-in lock-out holds when the wrong passwords come all at once: each try is counted
first, atomically, then checked, so exactly LOGIN_MAX_FAILURES are checked, whichever cache the
installation runs on."""

import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory

from gridgov.accounts import actions
from gridgov.core.errors import Refusal
from gridgov.core.models import AuditEntry
from gridgov.grids.tests.factories import UserFactory

TRIES = 40


@pytest.fixture(params=["locmem", "database"])
def cache_backend(request, settings):
    if request.param == "database":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                       "LOCATION": "gridgov_test_cache"}}
        call_command("createcachetable", verbosity=0)
    return request.param


@pytest.fixture
def slow_password_check(monkeypatch):
    """A password check takes a moment, as the real hasher's does: long enough for every try to
    be under way before the first one is counted as failed."""
    check = actions.authenticate

    def slow(*args, **kwargs):
        time.sleep(0.05)
        return check(*args, **kwargs)

    monkeypatch.setattr(actions, "authenticate", slow)


def all_at_once(phone: str, password: str) -> list[str]:
    """Forty tries at one number at once, each from an address of its own (a guesser spreads
    them): only the number's count binds, so exactly the limit can be asked for. (From one
    address, the number's and the address's counts are two statements, and a try can rank within
    one limit and past the other: fewer, never more, would be checked.)"""
    start = threading.Barrier(TRIES)
    outcomes = []

    def one_try(address):
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address)
        start.wait()
        try:
            actions.log_in_with_password(request, phone, password)
            outcomes.append("in")
        except Refusal as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_try, args=(f"10.0.1.{n}",)) for n in range(TRIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_forty_wrong_passwords_at_once_get_exactly_the_limit_checked(
        live_db, settings, cache_backend, slow_password_check):
    settings.LOGIN_MAX_FAILURES = 5
    UserFactory(phone="13912345678")

    outcomes = all_at_once("13912345678", "wrong-guess")

    assert outcomes.count("invalid") == 5
    assert outcomes.count("throttled") == TRIES - 5
    assert AuditEntry.objects.filter(action="accounts.login.failed").count() == 5


def test_after_the_race_the_right_password_is_refused_too(live_db, settings, cache_backend,
                                                          slow_password_check):
    settings.LOGIN_MAX_FAILURES = 5
    UserFactory(phone="13912345678")
    all_at_once("13912345678", "wrong-guess")

    with pytest.raises(Refusal) as refused:
        actions.log_in_with_password(RequestFactory().post("/", REMOTE_ADDR="10.0.0.2"),
                                     "13912345678", "pw-Xinjing-2025")
    assert refused.value.code == "throttled"
