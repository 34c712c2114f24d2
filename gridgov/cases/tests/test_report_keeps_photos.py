"""A failed submit loses nothing (issue 12, item 3): photos kept on the server across a form
error, the chosen type named, a point outside the town refused as soon as it is chosen."""

import re

import pytest
from django.urls import reverse

from gridgov.cases import pending
from gridgov.cases.models import Case, CasePhoto
from gridgov.cases.tests.factories import photo
from gridgov.cases.tests.test_views_resident import report_data
from gridgov.grids.tests.factories import centre

pytestmark = pytest.mark.django_db


def kept_of(page: str) -> tuple[str, list[str]]:
    key = re.search(r'name="kept" value="([^"]+)"', page)[1]
    return key, re.findall(r'name="kept_photo" value="([^"]+)"', page)


def test_photos_survive_a_form_error_and_go_with_the_next_try(client, world):
    data = report_data(world, category="", photos=[photo("a.jpg"), photo("b.png", kind="PNG")])
    response = client.post(reverse("cases:report"), data)
    assert response.status_code == 400
    page = response.content.decode()
    key, names = kept_of(page)
    assert len(names) == 2 and "上次选择的照片已保存" in page
    # The thumbnails answer, by the key of that submission only.
    thumb = client.get(reverse("cases:kept_photo", args=[key, names[0]]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert client.get(reverse("cases:kept_photo", args=["x" * 24, names[0]])).status_code == 404

    # The second try chooses the type and keeps one of the two photos; it adds a new one.
    retry = report_data(world, kept=key, kept_photo=[names[1]], photos=[photo("c.jpg")])
    response = client.post(reverse("cases:report"), retry)
    assert response.status_code == 302
    case = Case.objects.get()
    assert CasePhoto.objects.filter(case=case, phase="before").count() == 2
    assert pending.names(key) == []  # the report has copies of its own


def test_a_refusal_after_the_form_keeps_the_photos_too(client, world):
    # A point outside every grid passes the form's checks and is refused by the placing rule.
    data = report_data(world, longitude="121.000000", latitude="31.000000",
                       photos=[photo("a.jpg")])
    response = client.post(reverse("cases:report"), data)
    assert response.status_code == 400
    key, names = kept_of(response.content.decode())
    assert len(names) == 1 and not Case.objects.exists()


def test_kept_and_new_photos_count_together_against_the_limit(client, world, settings):
    response = client.post(reverse("cases:report"), report_data(
        world, category="", photos=[photo(f"{n}.jpg") for n in range(5)]))
    key, names = kept_of(response.content.decode())
    response = client.post(reverse("cases:report"), report_data(
        world, kept=key, kept_photo=names, photos=[photo(f"n{n}.jpg") for n in range(5)]))
    assert response.status_code == 400
    assert "最多上传9张照片，您选择了10张" in response.content.decode()
    assert not Case.objects.exists()


def test_a_forged_key_or_name_attaches_nothing(client, world):
    response = client.post(reverse("cases:report"), report_data(
        world, kept="../../etc", kept_photo=["../passwd"]))
    assert response.status_code == 302
    assert not CasePhoto.objects.exists()


def test_the_chosen_type_is_named_above_the_list_after_an_error(client, world):
    response = client.post(reverse("cases:report"), report_data(world, description=""))
    page = response.content.decode()
    assert 'id="category-chosen"' in page
    chosen = re.search(r'id="category-chosen"[^>]*>(.*?)</p>', page, re.S)[0]
    assert "hidden" not in chosen.split(">")[0] and world.category.plain_name in chosen


def test_place_check_answers_inside_and_outside_by_the_reports_rule(client, world):
    lon, lat = centre(world.grid_a1.boundary)
    inside = client.get(reverse("api:check_place"), {"lon": lon, "lat": lat}).json()
    assert inside == {"inside": True, "grid": world.grid_a1.name,
                      "community": world.grid_a1.community.name, "message": ""}
    outside = client.get(reverse("api:check_place"), {"lon": 121.0, "lat": 31.0}).json()
    assert outside["inside"] is False and "不在" in outside["message"]
    assert client.get(reverse("api:check_place"), {"lon": 999, "lat": 31}).status_code in (400, 422)


def test_report_page_loads_the_photo_script_from_a_file(client, world):
    page = client.get(reverse("cases:report")).content.decode()
    assert "cases/photos.js" in page and "<script>" not in page
