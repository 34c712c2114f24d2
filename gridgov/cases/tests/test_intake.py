import datetime as dt
import io
import re

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridgov.cases.actions import report_case
from gridgov.cases.workflow import next_number
from gridgov.cases.models import Case, CaseEvent, Source, State
from gridgov.core.photos import clean_photo
from gridgov.cases.tests.factories import photo
from gridgov.core.errors import Refusal
from gridgov.core.models import AuditEntry
from gridgov.grids.tests.factories import centre

pytestmark = pytest.mark.django_db


def test_a_residents_report_is_filed_in_the_grid_of_its_point(world):
    case = world.report(grid=world.grid_b1, photos=[photo(), photo("b.png", kind="PNG")])
    assert (case.town, case.community, case.grid) == (world.town, world.community_b, world.grid_b1)
    assert (case.state, case.source, case.reporter) == (State.REPORTED, Source.RESIDENT, world.resident)
    assert re.fullmatch(r"XJ\d{8}\d{6}", case.number)
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{10}", case.tracking_code)
    assert case.urgency == world.category.urgency
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "report", "", State.REPORTED, world.resident)
    assert [p.phase for p in case.photos.all()] == ["before", "before"]
    assert all(p.event_id == event.pk for p in case.photos.all())
    entry = AuditEntry.objects.get(action="cases.case.reported")
    assert entry.object_id == str(case.pk) and entry.changes["grid"] == world.grid_b1.pk


def test_an_anonymous_report_keeps_no_name_phone_or_account(world):
    case = world.report(actor=world.resident, is_anonymous=True, reporter_name="张三",
                        reporter_phone="13912345678")
    assert (case.reporter, case.reporter_name, case.reporter_phone) == (None, "", "")
    assert case.is_anonymous
    event = case.events.get(action="report")
    assert (event.actor, event.actor_label) == (None, "匿名上报人")
    assert not case.photos.exclude(uploaded_by=None).exists()


def test_a_visitor_without_account_is_named_in_the_timeline_by_what_they_are(world):
    case = world.report(actor=AnonymousUser())
    assert case.events.get(action="report").actor_label == "匿名上报人"


def test_a_visitor_without_account_may_leave_a_phone_number_stored_encrypted(world):
    from django.db import connection

    case = world.report(actor=AnonymousUser(), reporter_name="李四", reporter_phone="139 1234 5678")
    assert case.reporter is None
    assert Case.objects.get(pk=case.pk).reporter_phone == "13912345678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [case.pk])
        assert "13912345678" not in cursor.fetchone()[0]
    assert case.masked_reporter_phone == "139****5678"


@pytest.mark.parametrize(("fields", "code", "field"), [
    ({"description": "   "}, "required", "description"),
    ({"description": "长" * 2001}, "too_long", "description"),
    ({"longitude": "abc"}, "bad_location", "longitude"),
    ({"latitude": 91}, "bad_location", "latitude"),
    ({"longitude": 100.0, "latitude": 20.0}, "outside_town", "longitude"),
    ({"reporter_phone": "12345"}, "bad_phone", "reporter_phone"),
    ({"urgency": "panic"}, "bad_urgency", "urgency"),
    ({"source": "rumour"}, "bad_source", "source"),
    ({"source": Source.PATROL}, "forbidden", "source"),
    ({"source": Source.HOTLINE}, "forbidden", "source"),
    ({"category": 999999}, "bad_category", "category"),
])
def test_bad_reports_are_refused_with_a_field_and_nothing_is_written(world, fields, code, field):
    with pytest.raises(Refusal) as refused:
        world.report(**fields)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert re.search(r"[\u4e00-\u9fff]", refused.value.message)
    assert not Case.objects.exists()


def test_an_inactive_category_cannot_be_chosen(world):
    world.category.is_active = False
    world.category.save()
    with pytest.raises(Refusal) as refused:
        world.report()
    assert refused.value.code == "bad_category"


def test_a_report_names_its_category_from_the_catalogue_kept_in_the_process(world):
    """The active categories are read once per process (gridgov.core.snapshots), not per report;
    the report's case still holds the category as it is in the table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world.report()
    with CaptureQueriesContext(connection) as queries:
        case = world.report()
    assert not [q for q in queries if 'FROM "cases_category"' in q["sql"]]
    assert case.category == world.category and case.urgency == world.category.urgency


def test_a_point_outside_every_grid_is_accepted_when_the_town_is_given(world):
    case = world.report(actor=world.operator, source=Source.HOTLINE, longitude=100.0,
                        latitude=20.0, town=world.town)
    assert (case.town, case.grid, case.community) == (world.town, None, None)


def test_grid_staff_report_patrol_finds_in_their_own_grid_only(world):
    case = world.report(world.grid_staff, source=Source.PATROL)
    assert case.source == Source.PATROL
    with pytest.raises(Refusal) as refused:
        world.report(world.grid_staff, source=Source.PATROL, grid=world.grid_b1)
    assert refused.value.code == "forbidden"
    assert world.report(world.grid_staff_b, source=Source.PATROL, grid=world.grid_b1).grid == world.grid_b1


def test_grid_staff_solve_a_problem_on_the_spot(world):
    case = report_case(
        actor=world.grid_staff, category=world.category, description="店门口堆放纸箱，已当场清理",
        longitude=centre(world.grid_a1.boundary)[0], latitude=centre(world.grid_a1.boundary)[1],
        source=Source.PATROL, photos=[photo("before.jpg")], self_handled=True,
        after_photos=[photo("after.jpg")],
    )
    assert case.state == State.CLOSED and case.is_self_handled
    assert case.closed_on_time is True and case.registered_at == case.closed_at
    assert sorted(case.photos.values_list("phase", flat=True)) == ["after", "before"]
    assert list(case.events.values_list("action", flat=True)) == ["report", "self_handle"]
    # Still checked by sampling afterwards.
    assert case.sample_checked_at is None


@pytest.mark.parametrize("missing", ["photos", "after_photos"])
def test_solving_on_the_spot_needs_both_photos(world, missing):
    photos = {"photos": [photo()], "after_photos": [photo()]}
    photos[missing] = []
    with pytest.raises(Refusal) as refused:
        world.report(world.grid_staff, source=Source.PATROL, self_handled=True, **photos)
    assert (refused.value.code, refused.value.field) == ("required", missing)


def test_case_numbers_follow_the_day_and_a_daily_sequence():
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 11, 23, 23, 59)), tick=False):
        first, second = next_number(timezone.now()), next_number(timezone.now())
        tomorrow = next_number(timezone.now() + dt.timedelta(minutes=2))
    assert (first, second, tomorrow) == ("XJ20261123000001", "XJ20261123000002", "XJ20261124000001")


@pytest.mark.django_db(transaction=True)
def test_a_number_taken_apart_commits_without_waiting_and_leaves_the_session_as_it_was():
    """Outside a transaction the number commits at once, asynchronously on PostgreSQL (the
    report's own commit makes it durable); inside a caller's transaction it is taken there and
    the caller's commit stays synchronous."""
    from django.db import connection, transaction

    from gridgov.cases.models import CaseNumberSequence
    from gridgov.cases.workflow import _take_number, next_number_apart

    def synchronous_commit():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    first = next_number_apart(timezone.now())
    assert CaseNumberSequence.objects.get().last == 1  # committed: read from the table
    with transaction.atomic():
        second = next_number_apart(timezone.now())
        if connection.vendor == "postgresql":
            assert synchronous_commit() == "on"
    assert int(second[-6:]) == int(first[-6:]) + 1
    if connection.vendor == "postgresql":
        assert synchronous_commit() == "on"
        # The one statement turns the waiting off for its own transaction, and for no other.
        with transaction.atomic():
            _take_number(timezone.now(), without_waiting=True)
            assert synchronous_commit() == "off"
        assert synchronous_commit() == "on"


# Photos


def exif_of(content) -> dict:
    with Image.open(io.BytesIO(content)) as image:
        return dict(image.getexif())


def test_photos_lose_their_exif_and_gps_position(world):
    original = photo(gps=True)
    assert 0x8825 in exif_of(original.read())
    case = world.report(photos=[photo(gps=True)])
    stored = case.photos.get().image
    assert stored.name.endswith(".jpg")
    with stored.open("rb") as handle:
        assert exif_of(handle.read()) == {}


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted_whatever_their_name(kind):
    upload = photo("no-extension", kind=kind)
    cleaned = clean_photo(upload)
    with Image.open(io.BytesIO(cleaned.read())) as image:
        assert image.format == kind


def test_a_file_named_jpg_that_is_no_picture_is_refused():
    with pytest.raises(Refusal) as refused:
        clean_photo(SimpleUploadedFile("photo.jpg", b"#!/bin/sh\necho hi\n", "image/jpeg"))
    assert (refused.value.code, refused.value.field) == ("photo_type", "photos")


def test_a_gif_is_refused_even_though_pillow_reads_it():
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "GIF")
    with pytest.raises(Refusal) as refused:
        clean_photo(SimpleUploadedFile("a.jpg", out.getvalue()))
    assert refused.value.code == "photo_type"


def test_too_large_and_too_many_photos_are_refused(world, settings):
    settings.GRIDGOV_PHOTO_MAX_BYTES = 1000
    big = photo(size=(400, 400))
    assert big.size > 1000
    with pytest.raises(Refusal) as refused:
        clean_photo(big)
    assert refused.value.code == "photo_too_large"
    settings.GRIDGOV_PHOTO_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(Refusal) as refused:
        world.report(photos=[photo() for _ in range(10)])
    assert (refused.value.code, refused.value.field) == ("too_many_photos", "photos")
    assert world.report(photos=[photo() for _ in range(9)]).photos.count() == 9


def test_a_refused_step_leaves_no_photo_files_behind(world, tmp_path):
    from gridgov.cases.actions import act

    case = world.walk(world.report(), State.HANDLING)
    media = tmp_path / "media"
    files_before = {p for p in media.rglob("*") if p.is_file()}
    with pytest.raises(Refusal) as refused:
        act(case, "handle", actor=world.market_handler, after_photos=[photo(), photo()])
    assert refused.value.code == "forbidden"
    assert {p for p in media.rglob("*") if p.is_file()} == files_before
    assert not case.photos.filter(phase="after").exists()


def test_photos_are_scaled_down_to_a_sensible_size():
    cleaned = clean_photo(photo(size=(4000, 3000)))
    with Image.open(io.BytesIO(cleaned.read())) as image:
        assert image.size == (2560, 1920)


def test_tracking_codes_draw_every_letter_alike_and_only_those():
    import collections

    from gridgov.cases.models import _tracking_code
    from gridgov.core.pii import TRACKING_CODE_ALPHABET

    codes = [_tracking_code() for _ in range(3200)]
    letters = collections.Counter("".join(codes))
    assert set(letters) == set(TRACKING_CODE_ALPHABET) and {len(c) for c in codes} == {10}
    # 1,000 of each expected; a letter drawn twice as often as another would be far outside.
    assert all(850 < n < 1150 for n in letters.values()), letters
    assert len(set(codes)) == len(codes)
