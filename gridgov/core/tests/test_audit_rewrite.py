"""The audit log cannot be rewritten around its UPDATE and DELETE triggers: not by SQLite's
INSERT OR REPLACE / REPLACE INTO (which delete without firing the DELETE trigger), not by an
upsert, not by PostgreSQL's TRUNCATE (which fires no row trigger)."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gridgov.core import audit
from gridgov.core.models import AuditEntry

pytestmark = pytest.mark.django_db
audit.register("core.test.written", "测试写入")
COLUMNS = "(id, at, actor_label, action, object_type, object_id, object_label, changes)"


@pytest.fixture
def entry(db):
    return audit.record("core.test.written", actor=None, changes={"what": "the original"})


def write(sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def assert_kept(entry):
    assert AuditEntry.objects.get(pk=entry.pk).changes == {"what": "the original"}


def replacement(entry):
    return [entry.pk, connection.ops.adapt_datetimefield_value(timezone.now())]


@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "REPLACE"])
def test_sqlite_replace_is_refused(entry, verb):
    if connection.vendor != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's; PostgreSQL has no such statement")

    with pytest.raises(DatabaseError, match="append-only"):
        write(f"{verb} INTO core_auditentry {COLUMNS} "
              "VALUES (%s, %s, '', 'core.test.forged', '', '', '', '{}')", replacement(entry))
    assert_kept(entry)


def test_an_upsert_over_an_entry_is_refused(entry):
    with pytest.raises(DatabaseError, match="append-only"):
        write(f"INSERT INTO core_auditentry {COLUMNS} "
              "VALUES (%s, %s, '', 'core.test.forged', '', '', '', '{}') "
              "ON CONFLICT (id) DO UPDATE SET action = excluded.action", replacement(entry))
    assert_kept(entry)


def test_new_entries_are_still_written(entry):
    audit.record("core.test.written", actor=None)

    assert AuditEntry.objects.count() == 2


def test_postgresql_truncate_is_refused(entry):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite's DELETE is refused by migration 0002")

    with pytest.raises(DatabaseError, match="append-only"):
        write("TRUNCATE core_auditentry")
    assert_kept(entry)
