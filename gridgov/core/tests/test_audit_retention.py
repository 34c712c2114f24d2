"""Audit retention: entries kept six months at least, archived to a hash-chained file before the
one DELETE the database allows; exports and their check; who looked at a person's data."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gridgov.core import audit, audit_retention, pii, pii_access
from gridgov.core.models import AuditArchive, AuditEntry
from gridgov.core.tests.test_deploy_settings import started
from gridgov.grids.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
audit.register("core.test.kept", "测试保留")


@pytest.fixture(autouse=True)
def archives(settings, tmp_path):
    settings.GRIDGOV_AUDIT_ARCHIVE_DIR = str(tmp_path / "archive")
    settings.GRIDGOV_AUDIT_KEEP_DAYS = 183
    return tmp_path / "archive"


def written(days_ago: int, n: int = 1) -> list[AuditEntry]:
    with time_machine.travel(timezone.now() - dt.timedelta(days=days_ago), tick=False):
        return [audit.record("core.test.kept", actor=None, changes={"n": i}) for i in range(n)]


def raw_delete(entry):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])


def test_an_ordinary_delete_is_still_refused_young_or_old(archives):
    young, old = written(1)[0], written(400)[0]
    for entry in (young, old):
        with pytest.raises(DatabaseError, match="append-only"):
            raw_delete(entry)
    assert AuditEntry.objects.filter(pk__in=[young.pk, old.pk]).count() == 2


def test_an_archive_row_does_not_open_the_door_to_young_entries(archives):
    young = written(10)[0]
    AuditArchive.objects.create(first_id=young.pk, last_id=young.pk, entries=1, file_name="x",
                                sha256="0" * 64, last_hash="0" * 64)
    with pytest.raises(DatabaseError, match="append-only"):
        raw_delete(young)


def test_the_archive_table_is_append_only(archives):
    row = AuditArchive.objects.create(first_id=1, last_id=1, entries=1, file_name="x",
                                      sha256="0" * 64, last_hash="0" * 64)
    for sql in ("UPDATE core_auditarchive SET entries = 0", "DELETE FROM core_auditarchive"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditArchive.objects.get(pk=row.pk).entries == 1


def test_the_nightly_archive_writes_then_removes_exactly_the_old_entries(archives):
    old = written(300, 3) + written(200, 2)
    young = written(100, 2)
    result = audit_retention.archive_old()
    assert "5" in result
    assert list(AuditEntry.objects.order_by("id").values_list("id", flat=True)) == [
        e.pk for e in young]
    [archive] = AuditArchive.objects.all()
    assert (archive.first_id, archive.last_id, archive.entries) == (old[0].pk, old[-1].pk, 5)
    lines = [json.loads(line) for line in (archives / archive.file_name).read_text().splitlines()]
    assert [line["id"] for line in lines] == [e.pk for e in old]
    assert audit_retention.check().problems == []
    assert audit_retention.archive_old() == "audit entries archived: 0"


def test_a_changed_archive_line_is_found(archives):
    written(300, 3)
    audit_retention.archive_old()
    path = archives / AuditArchive.objects.get().file_name
    path.write_text(path.read_text().replace('"n": 1', '"n": 9'))
    findings = audit_retention.check()
    assert any("does not match its hash" in p for p in findings.problems)
    assert any("SHA-256" in p for p in findings.problems)
    with pytest.raises(CommandError):
        call_command("audit_check")


def test_export_and_check_a_period(tmp_path, capsys):
    entries = written(3, 4)
    day = timezone.localdate() - dt.timedelta(days=3)
    out = tmp_path / "export.jsonl"
    call_command("audit_export", str(out), "--from", str(day), "--to",
                 str(day + dt.timedelta(days=1)))
    lines = out.read_text().splitlines()
    assert len(lines) == 5 and json.loads(lines[-1])["totals"]["entries"] == 4
    call_command("audit_check", str(out))
    assert "0 mismatches" in capsys.readouterr().out
    kept = lines[:1] + lines[2:]  # an entry taken out
    out.write_text("\n".join(kept) + "\n")
    with pytest.raises(CommandError):
        call_command("audit_check", str(out))
    assert entries


def test_a_gap_in_the_ids_is_reported(tmp_path, capsys):
    if connection.vendor != "sqlite":
        pytest.skip("a gap is made here by hand through SQLite's sequence table")
    first = written(1)[0]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sqlite_sequence SET seq = seq + 5 WHERE name = 'core_auditentry'")
    written(1)
    call_command("audit_check")
    assert f"GAP ids {first.pk + 1}–{first.pk + 5}" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("audit_check", "--strict")


def test_fewer_than_183_days_is_refused_at_start(tmp_path):
    refused = started(tmp_path, GRIDGOV_AUDIT_KEEP_DAYS="90")
    assert refused.returncode != 0 and "at least 183" in refused.stderr
    assert started(tmp_path, GRIDGOV_AUDIT_KEEP_DAYS="183").returncode == 0


def test_a_persons_access_report_lists_every_view_of_their_data(archives, capsys):
    person = UserFactory(phone="13912345678")
    other = UserFactory(phone="13987654321")
    viewer = UserFactory(name="查看人")
    anyone = lambda actor, obj: True  # noqa: E731
    with time_machine.travel(timezone.now() - dt.timedelta(days=300), tick=False):
        pii.reveal(person, "phone", actor=viewer, may_reveal=anyone)
    audit_retention.archive_old()  # the older view now lives in the archive file
    pii.reveal(person, "phone", actor=viewer, may_reveal=anyone)
    pii.reveal(other, "phone", actor=viewer, may_reveal=anyone)
    found = pii_access.accesses("139-1234-5678")
    assert len(found) == 2 and {a.object_id for a in found} == {str(person.pk)}
    assert all(a.field == "phone" and a.actor == str(viewer) for a in found)
    call_command("pii_access_report", "13912345678")
    out = capsys.readouterr().out
    assert "共 2 次查看" in out and "13912345678" not in out
    assert pii_access.accesses("13912345678", towns={999}) == []
