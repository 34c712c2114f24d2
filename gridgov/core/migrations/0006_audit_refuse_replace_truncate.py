"""The two ways around migration 0002's triggers, refused too.

SQLite: INSERT OR REPLACE (and REPLACE INTO) deletes the entry it collides with without firing
the DELETE trigger, then writes a new one under the same id; a BEFORE INSERT trigger refuses an
id that is already taken. PostgreSQL: TRUNCATE fires no row trigger; a statement trigger refuses
it while the log holds an entry (emptying an empty log, as a test database's flush does, is
harmless)."""

from django.db import migrations

from gridgov.core.migrations._vendor_sql import run_for_vendor

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS core_auditentry_no_replace BEFORE INSERT ON core_auditentry
       WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM core_auditentry WHERE id = NEW.id)
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS core_auditentry_no_replace"]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_auditentry_no_truncate() RETURNS trigger AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM core_auditentry) THEN
           RAISE EXCEPTION 'audit log is append-only';
         END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE
       ON core_auditentry FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_no_truncate()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_no_truncate()",
]


install = run_for_vendor(POSTGRES, SQLITE)
remove = run_for_vendor(POSTGRES_REVERSE, SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_audit_town")]
    operations = [migrations.RunPython(install, remove)]
