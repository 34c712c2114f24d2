"""The SQLite engine's writers (gridgov/core/sqlite) and the server's settings
(gridgov/gunicorn.py)."""

import importlib
import sqlite3
import time
from types import SimpleNamespace

import pytest
from django.db import OperationalError, connection, transaction

from gridgov.core.models import Notice
from gridgov.core.sqlite import base as engine


def _busy_timeout_ms() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_log_is_copied_while_others_write_and_restarted_by_the_writer_in_a_turn(monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the queued writers and the write-ahead log are SQLite's")
    monkeypatch.setattr(engine, "CHECKPOINT_EVERY", 2)
    checkpoints = []

    def watch(execute, sql, params, many, context):
        if "wal_checkpoint" in sql:
            checkpoints.append((sql, connection._turn is not None))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        for n in range(4):
            with transaction.atomic():
                Notice.objects.create(channel="log", kind="test", body=f"第{n}条")
    # Every 2nd commit: the copy and its syncs while other writers may write, then the rest
    # copied and the log restarted in a turn, with no one appending meanwhile.
    assert checkpoints == [("PRAGMA wal_checkpoint(PASSIVE)", False),
                           ("PRAGMA wal_checkpoint(RESTART)", True)] * 2
    assert connection._turn is None
    assert _busy_timeout_ms() == connection.settings_dict["OPTIONS"]["timeout"] * 1000


@pytest.mark.django_db(transaction=True)
def test_a_long_reader_does_not_hold_the_writers_checkpoint_up(monkeypatch):
    """An export streaming rows keeps its snapshot for seconds: the checkpoint copies what it
    can and gives up waiting for it after CHECKPOINT_WAIT_MS, not after the 30 s a writer waits
    for the lock."""
    if connection.vendor != "sqlite":
        pytest.skip("the write-ahead log is SQLite's")
    monkeypatch.setattr(engine, "CHECKPOINT_EVERY", 1)
    Notice.objects.create(channel="log", kind="test", body="读者读到的")
    reader = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM core_notice").fetchone()  # holds its snapshot
        started = time.monotonic()
        with transaction.atomic():
            Notice.objects.create(channel="log", kind="test", body="读者之后写的")
        assert time.monotonic() - started < 3
        assert reader.execute("SELECT count(*) FROM core_notice").fetchone() == (1,)
    finally:
        reader.close()
    assert Notice.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_failed_checkpoint_leaves_the_committed_transaction_standing(monkeypatch, caplog):
    if connection.vendor != "sqlite":
        pytest.skip("the write-ahead log is SQLite's")
    monkeypatch.setattr(engine, "CHECKPOINT_EVERY", 1)

    def refuse_checkpoints(execute, sql, params, many, context):
        if "wal_checkpoint" in sql:
            raise OperationalError("disk I/O error")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_checkpoints):
        with transaction.atomic():
            Notice.objects.create(channel="log", kind="test", body="已提交")
    assert Notice.objects.filter(body="已提交").exists()
    assert "checkpoint failed" in caplog.text
    assert _busy_timeout_ms() == connection.settings_dict["OPTIONS"]["timeout"] * 1000


@pytest.mark.django_db
def test_the_automatic_checkpoint_leaves_the_processes_own_checkpoints_room():
    if connection.vendor != "sqlite":
        pytest.skip("the write-ahead log is SQLite's")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (pages,) = cursor.fetchone()
    # A report writes about 45 pages; two workers' 64 commits each must fit below the backstop,
    # or the checkpoint runs inside a commit again, with every other writer waiting.
    assert pages >= 2 * engine.CHECKPOINT_EVERY * 45


@pytest.mark.parametrize("database, threads", [
    ("", 1), ("sqlite:///var/x.sqlite3", 1), ("postgres://db/gridgov", 4),
])
def test_workers_on_sqlite_run_one_thread_each(monkeypatch, database, threads):
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    import gridgov.gunicorn as config

    config = importlib.reload(config)
    assert (config.workers, config.threads, config.worker_class) == (3, threads, "gthread")


def test_a_worker_keeps_what_it_loaded_out_of_the_collectors_full_passes():
    import gc

    import gridgov.gunicorn as config

    loaded = len(gc.get_objects())
    try:
        config.post_worker_init(worker=None)
        assert gc.get_freeze_count() >= loaded * 0.9
        assert len(gc.get_objects()) < loaded * 0.1
    finally:
        gc.unfreeze()


@pytest.mark.django_db
def test_placeholders_are_converted_once_per_statement_text(monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the placeholder conversion is the SQLite cursor's")
    converted = []
    regex = engine.base.FORMAT_QMARK_REGEX
    monkeypatch.setattr(engine.base, "FORMAT_QMARK_REGEX", SimpleNamespace(
        sub=lambda new, query: converted.append(query) or regex.sub(new, query)))
    engine._qmark_style.cache_clear()
    with connection.cursor() as cursor:
        for word in ("一", "二", "三"):
            cursor.execute("SELECT %s || '%%'", [word])
            assert cursor.fetchone() == (f"{word}%",)
    assert converted == ["SELECT %s || '%%'"]
