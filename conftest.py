"""Settings and fixtures shared by every app's tests."""

import importlib

import pytest
from django.db import connection, connections

# The migrations whose triggers keep the audit log append-only (live_db lifts them to empty it).
_AUDIT_GUARDS = [importlib.import_module(f"gridgov.core.migrations.{name}") for name in (
    "0002_audit_append_only", "0006_audit_refuse_replace_truncate", "0008_audit_archive")]


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The manifest storage needs collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # Each test starts with an empty in-process cache (log-in throttling lives there).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests check who gets in, not the hash. Set for
    # every test alike, so that a hash cached by a factory always matches the active hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def live_db(transactional_db):
    """A committed database (threads, live server). The audit log refuses DELETE, so after the
    test its triggers are lifted just long enough to empty it, then put back."""
    yield
    with connection.schema_editor() as editor:
        for guard in reversed(_AUDIT_GUARDS):  # each undone in the order it was laid
            guard.remove(None, editor)
        editor.execute("DELETE FROM core_auditentry")
        editor.execute("DELETE FROM core_auditarchive")
        for guard in _AUDIT_GUARDS:
            guard.install(None, editor)


@pytest.fixture(autouse=True)
def _fresh_grid_lookup():
    # The point-to-grid index lives in the process; a rolled-back test must not leave its grids.
    from gridgov.grids import lookup

    lookup.invalidate()


@pytest.fixture(autouse=True)
def _fresh_snapshots():
    # Reference tables kept in the process (the catalogue); a rolled-back test must not leave its rows.
    from gridgov.core import snapshots

    snapshots.clear_all()


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # The town's own calendar days are cached in the process; a rolled-back test must not leave its days.
    from gridgov.core import workdays

    workdays.forget_overrides()


@pytest.fixture
def root(client):
    """A superuser, signed in: the one who edits in Django's admin."""
    from gridgov.grids.tests.factories import UserFactory

    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


# ----- browser tests (Playwright driving Debian's Chromium; mark them `browser`) -----------------

@pytest.fixture
def browser(monkeypatch):
    """Chromium, for a test on committed data (`live_site`)."""
    from playwright.sync_api import sync_playwright

    from gridgov.core.tests.browser import CHROMIUM, CHROMIUM_ARGS

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # plain synchronous code all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # The test's ORM calls made while Playwright ran got database connections of their own
        # (Django keeps them per context, so this is done while Playwright's context is still
        # the current one): close them, or PostgreSQL's test database cannot be dropped at the
        # end of the run.
        connections.close_all()


@pytest.fixture
def live_site(live_db, live_server):
    """The platform served on committed data: what the browser sees is what the test wrote."""
    return live_server


@pytest.fixture
def open_screen(browser, live_site):
    """open_screen(device=PHONE or DESKTOP, **context) opens one person's browser window on the
    live site (a gridgov.core.tests.browser.Screen); each is closed after the test, which fails
    on a JavaScript error it saw."""
    from gridgov.core.tests.browser import Screen

    opened = []

    def open_(screen_class=Screen, **options):
        screen = screen_class(browser, live_site.url, **options)
        opened.append(screen)
        return screen

    yield open_
    for screen in opened:
        screen.close()
