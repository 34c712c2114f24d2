"""The SQLite engine's writers (gridgov/core/sqlite) and the server's settings for them
(gridgov/gunicorn.py)."""

import importlib
import sys

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


@pytest.mark.parametrize("database, interval", [
    ("", 0.0005), ("sqlite:///var/x.sqlite3", 0.0005), ("postgres://db/gridgov", None),
])
def test_workers_on_sqlite_switch_threads_every_half_millisecond(monkeypatch, database, interval):
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    before = sys.getswitchinterval()
    import gridgov.gunicorn as config

    config = importlib.reload(config)
    try:
        assert (config.workers, config.threads, config.worker_class) == (3, 4, "gthread")
        config.post_worker_init(worker=None)
        assert sys.getswitchinterval() == pytest.approx(interval or before)
    finally:
        sys.setswitchinterval(before)
