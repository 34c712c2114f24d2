import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from gridgov.core.models import AuditEntry
from gridgov.grids.models import Grid, Place
from gridgov.grids.tests.factories import square

pytestmark = pytest.mark.django_db


def grid_file(town, number=9, **props):
    feature = {"type": "Feature", "geometry": square(121.03, 31.0),
               "properties": {"number": number, "name": f"第{number}网格", "community": "002",
                              "unit_code": f"310105{town.town.code}002{number:03d}", **props}}
    return SimpleUploadedFile("grids.geojson", json.dumps(
        {"type": "FeatureCollection", "features": [feature]}).encode())


@pytest.mark.parametrize("role", ["operator", "leader", "community_operator", "grid_staff",
                                  "handler", "resident"])
def test_only_admins_reach_import_and_export(client, town, users, role):
    client.force_login(getattr(users, role))
    assert client.get(reverse("grids:transfer")).status_code == 403
    assert client.post(reverse("grids:import_grids"), {"town": town.town.pk,
                                                       "file": grid_file(town)}).status_code == 403
    assert client.get(reverse("grids:export_grids", args=[town.town.pk])).status_code == 403
    assert client.get(reverse("grids:export_places", args=[town.town.pk, "csv"])).status_code == 403
    assert not Grid.objects.filter(number=9).exists()


def test_a_visitor_is_sent_to_log_in(client, town):
    assert client.get(reverse("grids:transfer")).status_code == 302


def test_an_admin_imports_grids_and_sees_the_counts(client, town, users):
    client.force_login(users.admin)
    response = client.post(reverse("grids:import_grids"), {
        "town": town.town.pk, "file": grid_file(town), "update_existing": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("grids:transfer")
    assert "新增 1" in response.content.decode()
    assert Grid.objects.get(number=9).community == town.south
    assert AuditEntry.objects.get(action="grids.grid.imported").actor == users.admin


def test_a_refused_file_lists_its_errors_and_writes_nothing(client, town, users):
    client.force_login(users.admin)
    response = client.post(reverse("grids:import_grids"), {
        "town": town.town.pk, "file": grid_file(town, community="火星居民区")})
    assert response.status_code == 400
    html = response.content.decode()
    assert "未导入任何数据" in html and "火星居民区" in html and "unknown_community" in html
    assert not Grid.objects.filter(number=9).exists()


def test_an_admin_of_another_town_cannot_import_into_this_one(client, town, users):
    client.force_login(users.other_admin)
    response = client.post(reverse("grids:import_grids"), {"town": town.town.pk, "file": grid_file(town)})
    assert response.status_code == 400 and "town" in response.context["grid_form"].errors
    assert not Grid.objects.filter(number=9).exists()
    assert client.get(reverse("grids:export_grids", args=[town.town.pk])).status_code == 404
    assert client.get(reverse("grids:export_places", args=[town.town.pk, "xlsx"])).status_code == 404


def test_places_import_warns_about_places_outside_every_grid(client, town, users):
    client.force_login(users.admin)
    upload = SimpleUploadedFile("places.csv", "名称,类型,地址,经度,纬度\n新店,商铺,,121.005,31.005\n远店,商铺,,122,31\n".encode())
    response = client.post(reverse("grids:import_places"), {"town": town.town.pk, "file": upload},
                           follow=True)
    html = response.content.decode()
    assert "新增 2" in html and "1 个地点不在任何网格内（如第 3 行）" in html
    assert Place.objects.get(name="新店").grid == town.a


def test_exports_stream_the_towns_registry_and_are_audited(client, town, users):
    client.force_login(users.admin)
    response = client.get(reverse("grids:export_grids", args=[town.town.pk]))
    assert response.status_code == 200 and response.streaming
    data = json.loads(b"".join(response.streaming_content))
    assert [f["properties"]["number"] for f in data["features"]] == [1, 2, 3]
    assert "attachment" in response["Content-Disposition"]

    response = client.get(reverse("grids:export_places", args=[town.town.pk, "csv"]))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "名称,类型,地址,经度,纬度,网格编号,网格名称" and len(lines) == 4

    response = client.get(reverse("grids:export_places", args=[town.town.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 4
    assert client.get(reverse("grids:export_places", args=[town.town.pk, "pdf"])).status_code == 404
    assert AuditEntry.objects.filter(action__in=["grids.grid.exported", "grids.place.exported"],
                                     actor=users.admin).count() == 3
