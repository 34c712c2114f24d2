"""The database itself refuses to change or remove an audit entry."""

from django.db import migrations

from gridgov.core.migrations._vendor_sql import run_for_vendor

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER core_auditentry_no_change BEFORE UPDATE OR DELETE
       ON core_auditentry FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_change ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only()",
]


install = run_for_vendor(POSTGRES, SQLITE)
remove = run_for_vendor(POSTGRES_REVERSE, SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
