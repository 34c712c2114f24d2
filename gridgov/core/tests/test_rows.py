"""rows.insert() writes the row Model.save() writes: every column, the primary key and the
instance's state set, the signals sent; what it does not cover goes through save() itself."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.db import connection
from django.db.models import Value
from django.db.models.signals import post_save, pre_save

from gridgov.core import rows
from gridgov.core.models import AuditEntry, CalendarDay, Notice
from gridgov.grids.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def stored(model, pk) -> dict:
    """The row as the database holds it (encrypted columns as stored)."""
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(map(connection.ops.quote_name, columns))} FROM {table} "
                       "WHERE id = %s", [pk])
        return dict(zip(columns, cursor.fetchone(), strict=True))


def audit_entry(actor) -> AuditEntry:
    return AuditEntry(actor=actor, actor_label="张*", action="cases.case.reported",
                      object_type="cases.case", object_id="7", object_label="XJ20270104000001",
                      changes={"state": ["", "reported"], "说明": "路灯不亮"},
                      request_id=uuid.UUID(int=42), ip="10.0.0.7", town_id=3)


@time_machine.travel("2027-01-04 09:30:00 +0800", tick=False)
def test_an_audit_entry_is_the_row_save_writes():
    actor = UserFactory()
    saved, inserted = audit_entry(actor), audit_entry(actor)
    saved.save()
    rows.insert(inserted)

    assert inserted.pk is not None and inserted.pk != saved.pk
    assert not inserted._state.adding and inserted._state.db == "default"
    assert inserted.at == saved.at == dt.datetime(2027, 1, 4, 1, 30, tzinfo=dt.UTC)  # auto_now_add
    assert stored(AuditEntry, inserted.pk) == stored(AuditEntry, saved.pk)
    assert AuditEntry.objects.get(pk=inserted.pk).changes == {"state": ["", "reported"],
                                                             "说明": "路灯不亮"}


def test_an_encrypted_address_and_defaults_are_written_as_save_writes_them():
    saved = Notice(channel="log", kind="cases.dispatch", body="请接单", address="13912345678")
    inserted = Notice(channel="log", kind="cases.dispatch", body="请接单", address="13912345678",
                      created_at=saved.created_at)
    saved.save()
    rows.insert(inserted)

    assert Notice.objects.get(pk=inserted.pk).address == "13912345678"
    assert stored(Notice, inserted.pk)["address"] != "13912345678"  # kept encrypted
    mine, theirs = stored(Notice, inserted.pk), stored(Notice, saved.pk)
    assert mine.pop("address") and theirs.pop("address")  # encryption is randomised
    assert mine == theirs


@time_machine.travel("2027-01-04 09:30:00 +0800", tick=False)
def test_empty_columns_are_written_as_save_writes_them():
    # None and "" skip the fields' preparation where Django's own field would store them as
    # they are: the columns must still be what save() writes.
    def empty():
        return AuditEntry(actor=None, actor_label="", action="cases.case.reported",
                          changes={}, request_id=None, ip=None, town_id=None)

    saved, inserted = empty(), empty()
    saved.save()
    rows.insert(inserted)
    assert stored(AuditEntry, inserted.pk) == stored(AuditEntry, saved.pk)
    notices = [Notice(channel="log", kind="test", body="", user=None, sent_at=None)
               for _ in range(2)]
    notices[0].save()
    rows.insert(notices[1])
    assert stored(Notice, notices[1].pk) == stored(Notice, notices[0].pk)


def test_listeners_of_save_hear_of_the_insert():
    heard = []

    def before(sender, instance, **kwargs):
        heard.append(("pre_save", instance.pk, kwargs["raw"]))

    def after(sender, instance, created, **kwargs):
        heard.append(("post_save", instance.pk, created))

    pre_save.connect(before, sender=AuditEntry)
    post_save.connect(after, sender=AuditEntry)
    try:
        entry = audit_entry(None)
        rows.insert(entry)
    finally:
        pre_save.disconnect(before, sender=AuditEntry)
        post_save.disconnect(after, sender=AuditEntry)
    assert heard == [("pre_save", None, False), ("post_save", entry.pk, True)]


def test_a_model_with_a_save_of_its_own_is_saved_by_it(monkeypatch):
    from gridgov.core import workdays

    forgotten = []
    monkeypatch.setattr(workdays, "forget_overrides", lambda: forgotten.append(True))
    day = CalendarDay(date=dt.date(2027, 2, 10), is_workday=False, note="春节（示例）")
    rows.insert(day)
    assert day.pk is not None and forgotten == [True]


def test_an_expression_or_a_row_already_saved_goes_through_save():
    notice = Notice(channel="log", kind="cases.dispatch", body="请接单")
    notice.save()
    notice.body = "请尽快接单"
    rows.insert(notice)  # an update, as save() does it
    assert list(Notice.objects.values_list("body", flat=True)) == ["请尽快接单"]

    computed = Notice(channel="log", kind="cases.dispatch", body="请接单",
                      attempts=Value(1) + Value(2))
    rows.insert(computed)
    assert Notice.objects.get(pk=computed.pk).attempts == 3
