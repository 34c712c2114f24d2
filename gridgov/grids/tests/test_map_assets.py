"""Map assets under the production static storage, whose file names carry a hash: Leaflet
cannot guess its marker images beside the page (it asked for /cases/report/marker-icon.png,
a 404), so every map page names them, and each name is a collected file."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from gridgov.cases.tests.factories import CaseWorld

pytestmark = pytest.mark.django_db

ASSET = re.compile(r'(?:src|href|data-[a-z0-9-]+)="(/static/[^"]+)"')


@pytest.fixture
def hashed_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    call_command("collectstatic", "--noinput", verbosity=0)
    return tmp_path


def test_every_map_page_names_existing_hashed_marker_images(client, hashed_static):
    world = CaseWorld.build()
    case = world.report()
    client.force_login(world.operator)
    for path in (reverse("cases:report"), reverse("grids:map"), reverse("cases:case_map"),
                 reverse("cases:case_detail", args=[case.pk]),
                 reverse("grids:grid_detail", args=[world.grid_a1.pk])):
        html = client.get(path).content.decode()
        assets = ASSET.findall(html)
        icons = [asset for asset in assets if "/leaflet/images/marker-" in asset]
        assert len(icons) == 3, path
        assert all(re.search(r"\.[0-9a-f]{12}\.png$", icon) for icon in icons), icons
        for asset in assets:
            assert (hashed_static / asset.removeprefix("/static/")).is_file(), (path, asset)



def test_every_map_credits_itself_in_chinese():
    """Leaflet's own credit is English with a flag the phones' fonts may not draw; every map
    page loads _leaflet.html, whose script sets this translated text as the credit (drawn and
    checked in the dashboard's browser test)."""
    from django.template.loader import render_to_string

    assert 'data-credit="地图引擎 Leaflet"' in render_to_string("grids/_leaflet.html")
