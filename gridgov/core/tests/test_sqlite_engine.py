"""The SQLite engine's writers (gridgov/core/sqlite) and the server's settings
(gridgov/gunicorn.py)."""

import importlib

import pytest
from django.db import connection, transaction

from gridgov.core.models import Notice
from gridgov.core.sqlite import base as engine


@pytest.mark.django_db(transaction=True)
def test_the_log_is_checkpointed_after_the_writers_turn_has_passed_on(monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the queued writers and the write-ahead log are SQLite's")
    monkeypatch.setattr(engine, "CHECKPOINT_EVERY", 2)
    checkpoints = []

    def watch(execute, sql, params, many, context):
        if "wal_checkpoint" in sql:
            checkpoints.append(connection._turn)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        for n in range(4):
            with transaction.atomic():
                Notice.objects.create(channel="log", kind="test", body=f"第{n}条")
    assert len(checkpoints) == 2 and checkpoints == [None, None]  # every 2nd commit, turn ended


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
