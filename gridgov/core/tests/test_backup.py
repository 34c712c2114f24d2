"""Backup and restore: a backup restored into a fresh database holds every table's rows and the
audit log's last entry; the media files travel with it; a changed backup is not restored."""

import shutil
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from gridgov.core import audit, backup, pii
from gridgov.grids.tests.factories import GridFactory, UserFactory


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "media")}}}
    settings.GRIDGOV_AUDIT_ARCHIVE_DIR = str(tmp_path / "archive")
    return tmp_path / "media"


@pytest.fixture
def fresh(tmp_path):
    """The URL of a fresh, empty database of the kind the tests run on."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore are not installed: PostgreSQL backups need them")
    import psycopg

    config = connection.settings_dict
    name = f"{config['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    admin = backup.Database({**config, "NAME": "postgres"})
    with admin.connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    user = config.get("USER") or ""
    yield f"postgres://{user}@{config.get('HOST') or '127.0.0.1'}:{config.get('PORT') or 5432}/{name}"
    with psycopg.connect(**backup._psycopg_args({**config, "NAME": "postgres"}),
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_a_fresh_database_matches_table_by_table(live_db, media,
                                                                        tmp_path, fresh):
    grid = GridFactory()
    person = UserFactory(phone="13912345678")
    pii.reveal(person, "phone", actor=UserFactory(), may_reveal=lambda actor, obj: True)
    default_storage.save("cases/photo.jpg", ContentFile(b"not really a jpeg"))
    counts, last = backup.snapshot()

    call_command("backup", str(tmp_path / "backup"))
    manifest = (tmp_path / "backup" / backup.MANIFEST).read_text()
    assert "media/cases/photo.jpg" in manifest

    call_command("restore", str(tmp_path / "backup"), "--target", fresh)
    restored_counts, restored_last = backup.snapshot(backup.Database.from_url(fresh))
    assert restored_counts == counts and restored_last == last
    assert counts["grids_grid"] >= 1 and counts["core_auditentry"] >= 1 and grid.pk
    assert last["id"] == audit.AuditEntry.objects.order_by("-id").first().pk


def test_a_changed_backup_is_not_restored(live_db, media, tmp_path, fresh):
    UserFactory()
    call_command("backup", str(tmp_path / "backup"))
    data = next(p for p in (tmp_path / "backup").iterdir() if p.name.startswith("db."))
    data.write_bytes(data.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(CommandError, match="校验值不符"):
        call_command("restore", str(tmp_path / "backup"), "--target", fresh)


def test_a_backup_goes_into_a_new_directory(db, media, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "something").write_text("x")
    with pytest.raises(CommandError, match="不是空目录"):
        call_command("backup", str(tmp_path / "used"))
