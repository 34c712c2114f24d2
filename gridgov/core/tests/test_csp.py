"""Every response carries a Content-Security-Policy that runs no inline script and calls no
outside origin, and no page of the platform needs more: scripts come from static files, page
data from json_script blocks, and no element carries an event-handler attribute."""

import re

import pytest
from django.conf import settings

from gridgov.cases.tests.factories import CaseWorld
from gridgov.grids.tests.factories import UserFactory
from gridgov.settings import _tile_origin

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in
            (part.split() for part in header.split(";") if part.strip())}


@pytest.fixture
def world():
    return CaseWorld.build()


def pages(world):
    case = world.report()
    return [
        (None, "/"), (None, "/accounts/login/"), (None, "/cases/report/"),
        (None, "/cases/track/"), (None, "/no-such-page/"), (None, "/api/grids/addresses?q=x"),
        (world.operator, "/grids/"), (world.operator, f"/grids/{world.grid_a1.pk}/"),
        (world.operator, "/cases/map/"), (world.operator, f"/cases/{case.pk}/"),
        (world.operator, "/cases/workbench/"), (world.leader, "/indicators/"),
        (world.operator, "/api/docs"),
        ("root", "/admin/"), ("root", f"/admin/grids/grid/{world.grid_a1.pk}/change/"),
        ("root", "/admin/cases/case/"),
    ]


def test_every_page_has_a_policy_without_inline_script_or_outside_origins(client, world):
    root = UserFactory(is_superuser=True, is_staff=True)
    for user, path in pages(world):
        if user == "root":
            client.force_login(root)
        elif user is None:
            client.logout()
        else:
            client.force_login(user)
        response = client.get(path)
        assert response.status_code in (200, 404), path
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], path
        assert policy["default-src"] == ["'self'"], path
        assert policy["img-src"] == ["'self'", "data:", "blob:"], path
        assert policy["object-src"] == ["'none'"], path
        assert not any("://" in value for values in policy.values() for value in values), path
        html = response.content.decode()
        for attributes in SCRIPT.findall(html):
            assert "src=" in attributes or 'type="application/json"' in attributes, (
                path, attributes)
        assert not EVENT_HANDLER.search(html), path


def test_the_towns_tile_server_is_the_only_outside_origin_allowed():
    assert _tile_origin("") == []
    assert _tile_origin("https://tiles.xinjing.gov.cn/{z}/{x}/{y}.png") == [
        "https://tiles.xinjing.gov.cn"]
    assert _tile_origin("http://{s}.tiles.local:8080/{z}/{x}/{y}.png") == ["http://*.tiles.local:8080"]
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"][-1] == "blob:"  # none set
