"""A small table kept in the process: read once, dropped when a row changes here, read again
after its seconds when it changed elsewhere. (The catalogue's categories are kept so:
gridgov.cases.catalogue.ACTIVE.)"""

import datetime as dt

import pytest
from django.db import transaction

from gridgov.core.models import CalendarDay
from gridgov.core.snapshots import Snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def holidays():
    return Snapshot(CalendarDay, lambda: CalendarDay.objects.filter(is_workday=False),
                    seconds=3600)


def holiday(day=1, note="示例假日") -> CalendarDay:
    return CalendarDay.objects.create(date=dt.date(2027, 1, day), is_workday=False, note=note)


def test_rows_are_read_once_and_handed_out_as_copies(holidays, django_assert_num_queries):
    day = holiday()
    with django_assert_num_queries(1):
        first = holidays.get(day.pk)
        second = holidays.get(day.pk)
        assert holidays.get(day.pk + 1000) is None
    assert first == second == day and first is not second
    first.note = "被调用方改过"
    assert holidays.get(day.pk).note == "示例假日"


def test_a_row_saved_or_deleted_in_this_process_is_seen_at_once(holidays):
    day = holiday()
    assert holidays.get(day.pk) is not None
    day.is_workday = True
    day.save()
    assert holidays.get(day.pk) is None

    day.is_workday = False
    day.save()
    assert holidays.get(day.pk) is not None
    day.delete()
    assert holidays.get(day.pk) is None


def test_a_change_without_a_signal_is_seen_once_the_seconds_have_passed(holidays):
    day = holiday()
    assert holidays.get(day.pk) is not None
    CalendarDay.objects.filter(pk=day.pk).update(is_workday=True)  # as another process would
    assert holidays.get(day.pk) is not None

    holidays.seconds = 0
    assert holidays.get(day.pk) is None


def test_what_was_read_inside_a_changing_transaction_is_dropped_when_it_commits(
        holidays, django_capture_on_commit_callbacks):
    day = holiday()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        day.note = "改名中"
        day.save()
        assert holidays.get(day.pk).note == "改名中"
        CalendarDay.objects.filter(pk=day.pk).update(note="提交的说明")
    assert holidays.get(day.pk).note == "提交的说明"
