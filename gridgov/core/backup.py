"""Backup and restore of the whole installation: the database, the photos and other media, the
audit archive files.

`gridgov backup <dir>` writes into a new directory:
- the database: on SQLite a consistent copy taken with SQLite's online backup API while the
  server runs (db.sqlite3); on PostgreSQL `pg_dump --format=custom` (db.dump);
- media/ (the photos; skipped with a note when media live in an object store, which keeps its own
  versions) and audit-archive/ (core.audit_retention's files);
- manifest.json: when, which database, every table's row count, the audit log's last entry
  (id and the hash of its record), and the SHA-256 of every file written.

`gridgov restore <dir> [--target DATABASE_URL]` loads it into the configured database (or the
one named; on PostgreSQL with `pg_restore --clean`), puts the files back, and compares every
table's row count and the audit log's last entry with the manifest: any difference fails.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump and pg_restore, with fixed argument lists
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from gridgov.core import audit_retention
from gridgov.core.errors import Refusal

MANIFEST = "manifest.json"
SQLITE_FILE, PG_FILE = "db.sqlite3", "db.dump"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_root() -> Path | None:
    storage = settings.STORAGES["default"]
    if storage["BACKEND"] != "django.core.files.storage.FileSystemStorage":
        return None
    return Path(storage.get("OPTIONS", {}).get("location") or settings.MEDIA_ROOT)


def _pg_env(config: dict) -> dict:
    env = {**os.environ}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                      ("PASSWORD", "PGPASSWORD")):
        if config.get(key):
            env[name] = str(config[key])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise Refusal("missing_tool", f"{name} 未安装：PostgreSQL 的备份与恢复需要它")
    return found


# ----- what a database holds ----------------------------------------------------------------

class Database:
    """A database to count and read: the configured one, or one named by a URL."""

    def __init__(self, config: dict):
        self.config = config
        self.vendor = "sqlite" if "sqlite" in config["ENGINE"] else "postgresql"

    @classmethod
    def default(cls) -> "Database":
        return cls(connection.settings_dict)

    @classmethod
    def from_url(cls, url: str) -> "Database":
        import dj_database_url

        return cls(dj_database_url.parse(url))

    def connect(self, **options):
        if self.vendor == "sqlite":
            return sqlite3.connect(self.config["NAME"])
        import psycopg

        return psycopg.connect(**_psycopg_args(self.config), **options)


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        # A virtual table (the search indexes) keeps its rows in shadow tables, counted here
        # themselves; a contentless one cannot even be read whole.
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                       "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' "
                       "ORDER BY name")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                       "ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _counts_and_last(cursor, vendor: str) -> tuple[dict[str, int], dict | None]:
    counts = {}
    for table in _tables(cursor, vendor):
        # Table names come from the database's own catalogue, quoted.
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # nosec B608  # table names from the catalogue, quoted
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT id, at, action, object_type, object_id, changes FROM core_auditentry "
                   "ORDER BY id DESC LIMIT 1")
    row = cursor.fetchone()
    last = None
    if row is not None:
        changes = row[5] if isinstance(row[5], (dict, list)) else json.loads(row[5] or "{}")
        record = {"id": row[0], "at": str(row[1]), "action": row[2], "object_type": row[3],
                  "object_id": row[4], "changes": changes}
        last = {"id": row[0], "hash": audit_retention.chain(audit_retention.GENESIS, record)}
    return counts, last


def snapshot(database: Database | None = None) -> tuple[dict[str, int], dict | None]:
    """Every table's row count and the audit log's last entry (id, hash of its record)."""
    database = database or Database.default()
    if database.config is connection.settings_dict:
        with connection.cursor() as cursor:
            return _counts_and_last(cursor, database.vendor)
    conn = database.connect()
    try:
        cursor = conn.cursor()
        return _counts_and_last(cursor, database.vendor)
    finally:
        conn.close()


# ----- backup ---------------------------------------------------------------------------------

def _copy_tree(source: Path | None, target: Path, files: dict[str, str], label: str) -> int:
    if source is None or not source.exists():
        return 0
    copied = 0
    for path in sorted(source.rglob("*")):
        if path.is_file():
            relative = path.relative_to(source)
            out = target / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, out)
            files[f"{label}/{relative.as_posix()}"] = _sha256(out)
            copied += 1
    return copied


def backup(directory: Path) -> dict:
    """Write a backup into `directory` (new or empty); its manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise Refusal("not_empty", f"{directory} 不是空目录：备份写入新的目录")
    directory.mkdir(parents=True, exist_ok=True)
    database = Database.default()
    files: dict[str, str] = {}
    # The counts are read in the same moment's view as the copy: a backup taken while the
    # server writes still matches its own manifest (SQLite: the backup API copies one
    # consistent state after the counts' read transaction; PostgreSQL: the counts are taken
    # right before pg_dump's snapshot, and the restore compares with what was dumped).
    if database.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(directory / SQLITE_FILE)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        counts, last = snapshot(Database({**database.config, "NAME": str(directory / SQLITE_FILE),
                                          "ENGINE": "sqlite"}))
        files[SQLITE_FILE] = _sha256(directory / SQLITE_FILE)
    else:
        config = database.config
        subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner",  # nosec B603  # no shell
                        "--file", str(directory / PG_FILE), config["NAME"]],
                       env=_pg_env(config), check=True, capture_output=True)
        restored = _scratch_counts(directory / PG_FILE, config)
        counts, last = restored
        files[PG_FILE] = _sha256(directory / PG_FILE)
    media = _media_root()
    copied = _copy_tree(media, directory / "media", files, "media")
    archived = _copy_tree(audit_retention.archive_dir(), directory / "audit-archive", files,
                          "audit-archive")
    manifest = {
        "created_at": timezone.now().isoformat(), "vendor": database.vendor,
        "tables": counts, "audit_last": last, "files": files,
        "media": "copied" if media is not None else "object store: not copied",
        "media_files": copied, "audit_archive_files": archived,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                      encoding="utf-8")
    return manifest


def _scratch_counts(dump: Path, config: dict) -> tuple[dict[str, int], dict | None]:
    """What a PostgreSQL dump holds: restored into a scratch database, counted, dropped (so the
    manifest describes the dump itself, not the live database a moment later)."""
    scratch = f"{config['NAME']}_backup_check_{os.getpid()}"
    admin = Database({**config, "NAME": "postgres"})
    with admin.connect(autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote(scratch)}")
        conn.execute(f"CREATE DATABASE {_quote(scratch)}")
    try:
        _pg_restore(dump, {**config, "NAME": scratch}, clean=False)
        return snapshot(Database({**config, "NAME": scratch}))
    finally:
        with admin.connect(autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {_quote(scratch)} WITH (FORCE)")


def _psycopg_args(config: dict) -> dict:
    return {"dbname": config["NAME"], "host": config.get("HOST") or None,
            "port": config.get("PORT") or None, "user": config.get("USER") or None,
            "password": config.get("PASSWORD") or None}


def _pg_restore(dump: Path, config: dict, *, clean: bool) -> None:
    command = [_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", config["NAME"]]
    if clean:
        command[1:1] = ["--clean", "--if-exists"]
    subprocess.run([*command, str(dump)], env=_pg_env(config), check=True,  # nosec B603  # no shell
                   capture_output=True)


# ----- restore --------------------------------------------------------------------------------

def restore(directory: Path, target_url: str | None = None) -> list[str]:
    """Load a backup into the configured database (or `target_url`'s) and put its files back;
    the differences from the manifest ([] when the restore is whole)."""
    directory = Path(directory)
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        if _sha256(directory / name) != digest:
            raise Refusal("corrupt", f"备份文件 {name} 的校验值不符，未恢复")
    database = Database.from_url(target_url) if target_url else Database.default()
    if database.vendor != manifest["vendor"]:
        raise Refusal("vendor", "备份与目标数据库的类型不同（SQLite / PostgreSQL）")
    if database.vendor == "sqlite":
        if not target_url:
            connection.close()
        source = sqlite3.connect(directory / SQLITE_FILE)
        target = sqlite3.connect(database.config["NAME"])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    else:
        if not target_url:
            connection.close()
        _pg_restore(directory / PG_FILE, database.config, clean=True)
    if not target_url:
        media = _media_root()
        if media is not None and (directory / "media").exists():
            shutil.copytree(directory / "media", media, dirs_exist_ok=True)
        if (directory / "audit-archive").exists():
            shutil.copytree(directory / "audit-archive", audit_retention.archive_dir(),
                            dirs_exist_ok=True)
    counts, last = snapshot(database)
    differences = [f"{table}: {manifest['tables'][table]} in the backup, {counts.get(table)} restored"
                   for table in manifest["tables"] if counts.get(table) != manifest["tables"][table]]
    if last != manifest["audit_last"]:
        differences.append(f"audit log's last entry: {manifest['audit_last']} in the backup, "
                           f"{last} restored")
    return differences

