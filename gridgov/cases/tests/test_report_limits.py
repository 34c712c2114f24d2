"""Report limits, from the side of the reporter who is told to wait: per address (20 an hour) and
per phone number (5 an hour) for reporters without a role, on the form and on the API."""

import re
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from gridgov.cases.models import Case
from gridgov.cases.tests.factories import photo
from gridgov.grids.tests.factories import centre

pytestmark = pytest.mark.django_db

FORM = reverse("cases:report")
API = "/api/cases/"
TOO_OFTEN = "提交过于频繁"


@pytest.fixture
def clock():
    """12:20 on a working day; a test moves on with clock.shift(seconds)."""
    with time_machine.travel("2025-07-11 12:20:00 +0800", tick=False) as traveller:
        yield traveller


@pytest.fixture
def media(settings) -> Path:
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def fields(world, n: int = 0, **overrides) -> dict:
    """A resident's report; each n a phone number of its own, so that only the address counts."""
    lon, lat = centre(world.grid_a1.boundary)
    data = {"category": world.category.pk, "description": f"路口有人占道摆摊卖水果，第{n}次反映",
            "longitude": f"{lon:.6f}", "latitude": f"{lat:.6f}", "address": "示例路1号",
            "reporter_name": "张三", "reporter_phone": f"139000{n:05d}"}
    data.update(overrides)
    return data


def report_on_form(client, world, n=0, ip="127.0.0.1", **overrides):
    return client.post(FORM, fields(world, n, **overrides), REMOTE_ADDR=ip)


def report_on_api(client, world, n=0, ip="127.0.0.1", **overrides):
    return client.post(API, fields(world, n, **overrides), REMOTE_ADDR=ip)


def accepted_on_form(response) -> bool:
    # A resident lands on the tracking receipt, staff on the case page (a staff receipt).
    return response.status_code == 302 and re.match(r"^/cases/(track/\w+/\?new=1|\d+/)$",
                                                     response["Location"]) is not None


def only_error(response) -> dict:
    [error] = response.json()["errors"]
    return error


def test_the_21st_report_from_one_address_in_an_hour_is_refused_on_the_form(
        client, world, clock, media):
    for n in range(20):
        assert accepted_on_form(report_on_form(client, world, n))

    refused = client.post(FORM, fields(world, 20, description="第二十一次：垃圾桶满了没人清运",
                                       photos=[photo("scene.jpg")]))

    assert refused.status_code == 429
    assert refused["Retry-After"] == str(40 * 60)  # the hour's window ends at 13:00
    page = refused.content.decode()
    assert "提交过于频繁，请40分钟后再试" in page
    assert "第二十一次：垃圾桶满了没人清运" in page and "13900000020" in page  # as typed
    assert Case.objects.count() == 20
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_the_21st_report_from_one_address_is_refused_on_the_api_with_a_structured_error(
        client, world, clock, media):
    for n in range(20):
        assert report_on_api(client, world, n).status_code == 201

    refused = client.post(API, {**fields(world, 20), "photos": [photo("scene.jpg")]})

    assert refused.status_code == 429
    assert refused["Retry-After"] == "2400"
    assert refused.json() == {"errors": [{"field": "", "code": "rate_limited",
                                          "message": "提交过于频繁，请40分钟后再试"}]}
    assert Case.objects.count() == 20
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_the_form_and_the_api_share_one_count(client, world, clock):
    for n in range(10):
        assert accepted_on_form(report_on_form(client, world, n))
        assert report_on_api(client, world, 100 + n).status_code == 201

    assert report_on_api(client, world, 200).status_code == 429
    assert report_on_form(client, world, 201).status_code == 429


def test_reports_are_accepted_again_once_the_window_has_passed_and_took_no_number(
        client, world, clock):
    for n in range(20):
        assert report_on_api(client, world, n).status_code == 201
    assert report_on_api(client, world, 20).status_code == 429

    clock.shift(39 * 60 + 59)  # 12:59:59
    assert report_on_form(client, world, 21).status_code == 429

    clock.shift(1)  # 13:00
    response = report_on_form(client, world, 22)
    assert accepted_on_form(response)
    # The refused ones took no case number: the day's sequence goes on from 20.
    assert Case.objects.latest("pk").number.endswith("000021")


def test_another_address_is_not_held_back_by_one_that_used_its_allowance(client, world, clock):
    for n in range(20):
        assert report_on_api(client, world, n).status_code == 201
    assert report_on_api(client, world, 20).status_code == 429

    assert report_on_api(client, world, 21, ip="10.20.30.40").status_code == 201
    assert accepted_on_form(report_on_form(client, world, 22, ip="2001:db8::7"))


def test_staff_with_a_role_are_not_limited(client, world, clock):
    # The operations centre enters 12345 hotline calls all day, often for the same caller.
    client.force_login(world.operator)
    for n in range(25):
        response = report_on_form(client, world, n, source="hotline", reporter_phone="13912345678")
        assert accepted_on_form(response), response.content.decode()[:500]

    client.force_login(world.grid_staff)
    assert report_on_api(client, world, 30, source="patrol").status_code == 201
    assert Case.objects.count() == 26


def test_a_signed_in_resident_without_a_role_is_limited_like_everyone(client, world, clock,
                                                                         settings):
    settings.GRIDGOV_REPORT_RATE_PER_ADDRESS = 2
    client.force_login(world.resident)
    assert accepted_on_form(report_on_form(client, world, 0))
    assert accepted_on_form(report_on_form(client, world, 1))

    assert report_on_form(client, world, 2).status_code == 429


def test_the_6th_report_with_one_phone_number_in_an_hour_is_refused_from_any_address(
        client, world, clock):
    for n in range(5):
        response = report_on_api(client, world, n, reporter_phone="139 1234 5678", ip=f"10.0.0.{n}")
        assert response.status_code == 201

    refused = report_on_api(client, world, 5, reporter_phone="+8613912345678", ip="10.0.0.99")
    assert refused.status_code == 429
    assert only_error(refused) == {"field": "reporter_phone", "code": "rate_limited",
                                   "message": "这个电话号码提交过于频繁，请40分钟后再试"}

    on_form = report_on_form(client, world, 6, reporter_phone="13912345678", ip="10.0.0.98")
    assert on_form.status_code == 429
    assert "这个电话号码提交过于频繁" in " ".join(on_form.context["form"].errors["reporter_phone"])

    # Without the number (anonymous) the same resident is only counted by address.
    assert report_on_api(client, world, 7, reporter_phone="13912345678", is_anonymous="true",
                         ip="10.0.0.99").status_code == 201
    assert Case.objects.count() == 6


def test_only_accepted_reports_count(client, world, clock, settings):
    """Counting successes, not attempts: a resident whose report was sent back to be corrected,
    or who was told to wait, has not used up the allowance for that."""
    settings.GRIDGOV_REPORT_RATE_PER_ADDRESS = 3
    for n in range(5):
        assert report_on_form(client, world, n, description="").status_code == 400
        assert report_on_api(client, world, n, longitude="100", latitude="40").status_code == 400
    for n in range(3):
        assert report_on_api(client, world, 10 + n).status_code == 201
    for n in range(5):
        assert report_on_api(client, world, 20 + n).status_code == 429

    clock.shift(40 * 60)
    for n in range(3):
        assert report_on_api(client, world, 30 + n).status_code == 201
    assert report_on_api(client, world, 40).status_code == 429


@pytest.mark.parametrize("report", [report_on_form, report_on_api])
def test_a_report_reads_the_counts_once_and_counts_itself_once(client, world, clock, report):
    """Its limits are decided on one read (the address's and the phone number's counts with the
    refused submissions'), made before the form is checked; its count is one upsert."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = report(client, world, 1)
    assert response.status_code in (201, 302)
    touching = [q["sql"].split()[0] for q in queries if "core_ratecount" in q["sql"]]
    assert touching == ["SELECT", "INSERT"]


@pytest.mark.parametrize("report", [report_on_form, report_on_api])
def test_a_report_works_out_its_phone_numbers_key_once(client, world, clock, report, monkeypatch):
    """The read before the form, the decision and the count ask for the same keys: the phone
    number's blind index (an HMAC) is computed once, not once for each."""
    from gridgov.core import pii

    keyed = []
    blind_index = pii.blind_index
    monkeypatch.setattr(pii, "blind_index", lambda value: keyed.append(value) or blind_index(value))
    assert report(client, world, 1).status_code in (201, 302)
    assert keyed.count("13900000001") == 1


def test_a_limit_of_0_is_no_limit(client, world, clock, settings):
    settings.GRIDGOV_REPORT_RATE_PER_ADDRESS = 0
    settings.GRIDGOV_REPORT_RATE_PER_PHONE = 0
    for n in range(25):
        assert report_on_api(client, world, n, reporter_phone="13912345678").status_code == 201


def test_refused_submissions_count_toward_a_limit_before_photos_are_read(client, world, settings,
                                                                         clock, monkeypatch):
    """Bad submissions from one address (here: no description) are counted; past
    GRIDGOV_REPORT_REFUSED_PER_ADDRESS, the next one is refused before any photo is decoded,
    on the form and on the API, and another address still reports."""
    from gridgov.core import photos

    settings.GRIDGOV_REPORT_REFUSED_PER_ADDRESS = 3
    for n in range(2):
        assert report_on_form(client, world, n, description="").status_code == 400
    assert report_on_api(client, world, 2, description="").status_code == 400

    decoded = []
    monkeypatch.setattr(photos, "_reencode", lambda *a, **k: decoded.append(a) or b"")
    refused = report_on_form(client, world, 3, photos=[photo()])
    assert refused.status_code == 429 and refused["Retry-After"]
    assert TOO_OFTEN in refused.content.decode()
    assert report_on_api(client, world, 4, photos=[photo()]).status_code == 429
    assert decoded == [] and not Case.objects.exists()
    assert accepted_on_form(report_on_form(client, world, 5, ip="127.0.0.9"))

    clock.shift(3600)
    monkeypatch.undo()
    assert accepted_on_form(report_on_form(client, world, 6))


def test_staff_refusals_are_not_counted(client, world, settings):
    settings.GRIDGOV_REPORT_REFUSED_PER_ADDRESS = 1
    client.force_login(world.grid_staff)
    for n in range(3):
        assert report_on_form(client, world, n, description="").status_code == 400
