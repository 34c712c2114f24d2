"""The resident's pages over HTTP: report, follow by tracking code, rate."""

import pytest
from django.urls import reverse

from gridgov.cases.models import Case, CasePhoto, Satisfaction, State
from gridgov.cases.tests.factories import photo
from gridgov.grids.tests.factories import centre

pytestmark = pytest.mark.django_db


def report_data(world, **overrides):
    lon, lat = centre(world.grid_a1.boundary)
    data = {"category": world.category.pk, "description": "路口有人占道摆摊卖水果，影响通行",
            "longitude": f"{lon:.6f}", "latitude": f"{lat:.6f}", "address": "示例路1号",
            "reporter_name": "张三", "reporter_phone": "13912345678"}
    data.update(overrides)
    return data


def test_report_page_offers_categories_in_plain_words(client, world):
    response = client.get(reverse("cases:report"))
    assert response.status_code == 200
    page = response.content.decode()
    assert world.category.plain_name in page and world.category.major_name in page
    assert 'accept="image/*"' in page and "multiple" in page and "capture" in page
    assert "leaflet/leaflet.js" in page


def test_anonymous_resident_reports_with_photos_and_gets_a_tracking_code(client, world):
    data = report_data(world, photos=[photo("a.jpg"), photo("b.png", kind="PNG")])
    response = client.post(reverse("cases:report"), data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:track_case", args=[case.tracking_code]) + "?new=1"
    assert case.reporter is None and case.grid == world.grid_a1 and case.state == State.REPORTED
    assert case.reporter_phone == "13912345678"
    assert CasePhoto.objects.filter(case=case, phase="before").count() == 2

    receipt = client.get(response["Location"]).content.decode()
    assert case.tracking_code in receipt and case.number in receipt and "提交成功" in receipt


def test_anonymous_report_keeps_no_contact(client, world):
    client.post(reverse("cases:report"), report_data(world, is_anonymous="on"))
    case = Case.objects.get()
    assert case.is_anonymous and case.reporter_name == "" and case.reporter_phone == ""


def test_signed_in_resident_follows_the_case_in_my_list(client, world):
    client.force_login(world.resident)
    client.post(reverse("cases:report"), report_data(world))
    case = Case.objects.get()
    assert case.reporter == world.resident
    page = client.get(reverse("cases:my_cases")).content.decode()
    assert case.number in page


@pytest.mark.parametrize("overrides, field, message", [
    ({"category": ""}, "category", "请选择问题类型"),
    ({"category": "999999"}, "category", "所选问题类型不存在或已停用"),
    ({"description": "坏了"}, "description", "问题描述应为5到2000个字"),
    ({"longitude": "", "latitude": ""}, "longitude", "请在地图上点选问题位置"),
    ({"longitude": "0", "latitude": "0"}, "longitude", "位置不正确"),
    ({"reporter_phone": "12345"}, "reporter_phone", "请输入11位手机号码或带区号的固定电话"),
])
def test_bad_input_is_named_in_chinese_and_nothing_is_saved(client, world, overrides, field,
                                                             message):
    response = client.post(reverse("cases:report"), report_data(world, **overrides))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_a_point_outside_every_grid_is_refused_without_saving(client, world):
    response = client.post(reverse("cases:report"),
                           report_data(world, longitude="100.000000", latitude="40.000000"))
    assert response.status_code == 400
    assert "不在本镇/街道的网格内" in response.content.decode()
    assert not Case.objects.exists()


def test_too_many_photos_or_a_fake_photo_are_refused(client, world, settings, tmp_path):
    too_many = [photo(f"p{i}.jpg") for i in range(10)]
    response = client.post(reverse("cases:report"), report_data(world, photos=too_many))
    assert response.status_code == 400
    assert "最多上传9张照片" in response.content.decode()

    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"#!/bin/sh\necho hi\n", content_type="image/jpeg")
    response = client.post(reverse("cases:report"), report_data(world, photos=[fake]))
    assert response.status_code == 400
    assert "x.jpg" in response.content.decode() and "图片" in response.content.decode()
    assert not Case.objects.exists()
    assert not list((tmp_path / "media").rglob("*.*"))


def test_track_by_code_shows_state_and_timeline_without_personal_data(client, world):
    case = world.report(reporter_name="李四", reporter_phone="13987654321")
    case = world.walk(case, State.DISPATCHED)
    response = client.get(reverse("cases:track"), {"code": case.tracking_code.lower()})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已派遣" in page and "立案" in page and "派遣" in page
    for secret in ("李四", "13987654321", "9876", str(world.operator.name), world.handler.name):
        assert secret not in page


def test_track_page_hides_numbers_typed_into_the_description(client, world):
    case = world.report(description="示例：门口堆物，联系 139-8765-4321 或 021 6234 5678")
    page = client.get(reverse("cases:track_case", args=[case.tracking_code])).content.decode()
    assert "门口堆物，联系 *** 或 ***" in page and "4321" not in page


def test_unknown_or_malformed_tracking_code(client, world):
    response = client.get(reverse("cases:track"), {"code": "ABCDEFGHJK"})
    assert response.status_code == 404 and "没有找到" in response.content.decode()
    response = client.get(reverse("cases:track"), {"code": "abc"})
    assert response.status_code == 400 and "查询码为10位" in response.content.decode()
    assert client.get(reverse("cases:track_case", args=["ABCDEFGHJK"])).status_code == 404


def test_track_page_shows_photos_only_of_that_case(client, world):
    case = world.report(photos=[photo("before.jpg")])
    other = world.report()
    picture = case.photos.get()
    assert client.get(reverse("cases:track_photo", args=[case.tracking_code, picture.pk])).status_code == 200
    assert client.get(reverse("cases:track_photo", args=[other.tracking_code, picture.pk])).status_code == 404


def test_rate_after_closure_by_tracking_code(client, world):
    case = world.walk(world.report(), State.CLOSED)
    page = client.get(reverse("cases:track_case", args=[case.tracking_code])).content.decode()
    assert "请您评价" in page
    response = client.post(reverse("cases:rate", args=[case.tracking_code]),
                           {"satisfaction": Satisfaction.BASICALLY})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.EVALUATED and case.satisfaction == Satisfaction.BASICALLY
    page = client.get(reverse("cases:track_case", args=[case.tracking_code])).content.decode()
    assert "请您评价" not in page and "基本满意" in page


def test_unsatisfied_needs_a_reason_and_then_asks_for_review(client, world):
    case = world.walk(world.report(), State.CLOSED)
    url = reverse("cases:rate", args=[case.tracking_code])
    response = client.post(url, {"satisfaction": Satisfaction.UNSATISFIED, "reason": "  "})
    assert response.status_code == 400 and "不满意的原因" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.satisfaction == ""

    client.post(url, {"satisfaction": Satisfaction.UNSATISFIED, "reason": "摊贩第二天又来了"})
    case.refresh_from_db()
    assert case.state == State.EVALUATED and case.needs_review


def test_rating_before_closure_is_refused(client, world):
    case = world.walk(world.report(), State.HANDLING)
    page = client.get(reverse("cases:track_case", args=[case.tracking_code])).content.decode()
    assert "请您评价" not in page
    response = client.post(reverse("cases:rate", args=[case.tracking_code]),
                           {"satisfaction": Satisfaction.SATISFIED})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.satisfaction == "" and case.state == State.HANDLING


def test_residents_are_not_offered_a_source(client, world):
    client.force_login(world.resident)
    page = client.get(reverse("cases:report")).content.decode()
    assert 'name="source"' not in page and 'name="self_handled"' not in page
    client.post(reverse("cases:report"), report_data(world, source="hotline"))
    assert Case.objects.get().source == "resident"


def test_grid_staff_report_a_patrol_find_handled_on_the_spot(client, world):
    client.force_login(world.grid_staff)
    page = client.get(reverse("cases:report")).content.decode()
    assert 'name="self_handled"' in page and "网格巡查" in page
    response = client.post(reverse("cases:report"), report_data(
        world, source="patrol", self_handled="on", photos=[photo("before.jpg")]))
    assert response.status_code == 400 and "自行处置须上传处置后照片" in response.content.decode()
    assert not Case.objects.exists()
    response = client.post(reverse("cases:report"), report_data(
        world, source="patrol", self_handled="on", photos=[photo("before.jpg")],
        after_photos=[photo("after.jpg")]))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.source == "patrol" and case.is_self_handled and case.state == State.CLOSED
    assert case.photos.filter(phase="after").count() == 1


def test_grid_staff_patrol_outside_their_grid_is_refused(client, world):
    client.force_login(world.grid_staff)
    lon, lat = centre(world.grid_b1.boundary)
    response = client.post(reverse("cases:report"), report_data(
        world, source="patrol", longitude=f"{lon:.6f}", latitude=f"{lat:.6f}"))
    assert response.status_code == 400 and "只有本网格的网格员" in response.content.decode()
    assert not Case.objects.exists()


def test_operator_enters_a_hotline_transfer(client, world):
    client.force_login(world.operator)
    client.post(reverse("cases:report"), report_data(world, source="hotline"))
    case = Case.objects.get()
    assert case.source == "hotline" and case.reporter == world.operator
