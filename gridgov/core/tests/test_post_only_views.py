"""Every view that only writes refuses GET with 405, whatever the URL conf grows to hold: the views
are found by walking the URL conf and the API's routers, not listed by hand."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from gridgov.grids.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SAMPLE = {"int": "1", "str": "X", "slug": "x", "path": "x", "uuid": "0" * 8 + "-0000-0000-0000-"
          + "0" * 12}


def _allowed_methods(view) -> list[str] | None:
    """The methods require_http_methods (require_POST) lets through, found in the closure of
    any function in the view's chain of decorators; None when the view does not restrict."""
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list) and value and all(m in {"GET", "POST", "PUT", "PATCH",
                                                               "DELETE", "HEAD"} for m in value):
                return value
        view = getattr(view, "__wrapped__", None)
    return None


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route, entry.callback


def _url(route: str) -> str | None:
    if route.startswith("^"):
        return None  # a regular-expression route (the admin's): none of them is POST-only
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)


def _api_post_only() -> list[str]:
    from gridgov.api import api

    return [
        "/api" + re.sub(r"\{(?:\w+:)?\w+\}", "1", (prefix + path).replace("//", "/"))
        for prefix, router in api._routers
        for path, view in router.path_operations.items()
        if {m for operation in view.operations for m in operation.methods} == {"POST"}
    ]


POST_ONLY = sorted(
    [url for route, view in _walk(get_resolver().url_patterns)
     if _allowed_methods(view) == ["POST"] and (url := _url(route)) is not None]
    + _api_post_only()
)


def test_the_walk_finds_the_post_only_views():
    assert "/cases/workbench/dispatch/" in POST_ONLY
    assert "/cases/1/act/X/" in POST_ONLY
    assert "/cases/track/X/rate/" in POST_ONLY
    assert "/api/cases/1/actions/1" in POST_ONLY


@pytest.mark.parametrize("url", POST_ONLY)
def test_a_post_only_view_refuses_get_with_405(client, url):
    # Staff too, so that the admin site's own POST-only views are reached, not its log-in page.
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(url).status_code == 405
