"""The database a benchmark fills: its own SQLite file under var/bench/ or its own PostgreSQL
database on 127.0.0.1:5432, emptied unless kept, and Django set up on it."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def open_database(db: str, name: str, *, keep: bool = False, **environment: str) -> None:
    """Point Django at the benchmark's database `name` (var/bench/<name>.sqlite3, or the
    PostgreSQL database gridgov_bench_<name>), made empty unless `keep`, and set Django up;
    `environment` adds settings read from the environment (e.g. LOG_LEVEL)."""
    VAR.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        path = VAR / f"{name}.sqlite3"
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        database = f"gridgov_bench_{name}"
        if not keep:
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {database}")
        url = f"{PG_SERVER}/{database}"
    os.environ.update({"DJANGO_SETTINGS_MODULE": "gridgov.settings", "DATABASE_URL": url,
                       "ALLOWED_HOSTS": "testserver", **environment})
    import django

    django.setup()
