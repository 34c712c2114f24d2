"""sweep_photos: files no CasePhoto names, older than the grace period, are deleted, no others."""

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from gridgov.cases.management.commands.sweep_photos import duration
from gridgov.cases.models import CasePhoto
from gridgov.cases.tests.factories import photo

DAY = 86400


def stored_file(name: str, *, age_seconds: float, size: int = 10) -> str:
    """A file written to the photo storage age_seconds ago."""
    storage = CasePhoto.image.field.storage
    name = storage.save(name, ContentFile(b"x" * size))
    moment = time.time() - age_seconds
    os.utime(storage.path(name), (moment, moment))
    return name


def exists(name: str) -> bool:
    return CasePhoto.image.field.storage.exists(name)


def sweep(*args) -> str:
    out = io.StringIO()
    call_command("sweep_photos", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def photos(world):
    """Two photos of a real report (made two days old), an orphan left by a crash three days ago,
    one written a minute ago whose report may still be in its transaction, and an unrelated
    file of the media folder outside the photos."""
    case = world.report(photos=[photo("a.jpg"), photo("b.jpg")])
    in_use = list(case.photos.values_list("image", flat=True))
    storage = CasePhoto.image.field.storage
    for name in in_use:
        os.utime(storage.path(name), (time.time() - 2 * DAY,) * 2)
    orphan = stored_file("cases/2026/08/crashed.jpg", age_seconds=3 * DAY, size=2048)
    fresh = stored_file("cases/2026/11/in-flight.jpg", age_seconds=60)
    elsewhere = stored_file("documents/minutes.pdf", age_seconds=30 * DAY)
    return {"in_use": in_use, "orphan": orphan, "fresh": fresh, "elsewhere": elsewhere}


def test_a_dry_run_lists_the_orphans_and_deletes_nothing(photos):
    output = sweep("--dry-run")

    assert output.splitlines()[0] == photos["orphan"]
    assert "4 photo files under cases/: 2 in use, 1 unnamed but newer than 24 h (kept), " \
           "1 orphaned would be deleted" in output
    assert all(exists(name) for name in [*photos["in_use"], photos["orphan"], photos["fresh"]])


def test_orphans_older_than_the_grace_period_are_deleted(photos, django_assert_num_queries):
    with django_assert_num_queries(2):  # 4 files in batches of 3: one query a batch
        output = sweep("--batch-size", "3")

    assert not exists(photos["orphan"])
    assert all(exists(name) for name in photos["in_use"])
    assert exists(photos["fresh"]) and exists(photos["elsewhere"])
    assert "1 orphaned deleted" in output

    assert "0 orphaned deleted" in sweep()  # nothing left to do


def test_a_shorter_grace_period_takes_the_recent_orphans_too(photos):
    sweep("--older-than", "30s")

    assert not exists(photos["fresh"]) and not exists(photos["orphan"])
    assert all(exists(name) for name in photos["in_use"])


def test_a_deleted_case_leaves_its_photos_to_the_sweep(photos):
    CasePhoto.objects.all().delete()  # as a case deleted from the shell cascades
    sweep()
    assert not any(exists(name) for name in photos["in_use"])
    assert exists(photos["fresh"])


def test_ages_are_read_in_hours_by_default():
    assert duration("24").total_seconds() == 24 * 3600
    assert duration("2d").total_seconds() == 2 * DAY
    assert duration("90m").total_seconds() == 5400
    with pytest.raises(ValueError):
        duration("soon")


def test_no_photo_folder_yet_is_no_error(db):
    assert "0 photo files under cases/" in sweep()
