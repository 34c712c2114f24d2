"""Full-text search of case descriptions and addresses (queried by gridgov/cases/search.py).

SQLite: an FTS5 table with the trigram tokenizer over cases_case (external content, so the text
is stored once), kept in sync by triggers. PostgreSQL: pg_trgm GIN indexes that answer ILIKE.
"""

from django.db import migrations

SQLITE_SETUP = [
    """CREATE VIRTUAL TABLE cases_case_fts USING fts5(
           description, address, content='cases_case', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER cases_case_fts_insert AFTER INSERT ON cases_case BEGIN
           INSERT INTO cases_case_fts(rowid, description, address)
           VALUES (new.id, new.description, new.address);
       END""",
    """CREATE TRIGGER cases_case_fts_delete AFTER DELETE ON cases_case BEGIN
           INSERT INTO cases_case_fts(cases_case_fts, rowid, description, address)
           VALUES ('delete', old.id, old.description, old.address);
       END""",
    # Only a change of the searched text touches the index, not every state change.
    """CREATE TRIGGER cases_case_fts_update AFTER UPDATE OF description, address ON cases_case
       BEGIN
           INSERT INTO cases_case_fts(cases_case_fts, rowid, description, address)
           VALUES ('delete', old.id, old.description, old.address);
           INSERT INTO cases_case_fts(rowid, description, address)
           VALUES (new.id, new.description, new.address);
       END""",
    "INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS cases_case_fts_insert",
    "DROP TRIGGER IF EXISTS cases_case_fts_delete",
    "DROP TRIGGER IF EXISTS cases_case_fts_update",
    "DROP TABLE IF EXISTS cases_case_fts",
]
POSTGRES_SETUP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS cases_case_description_trgm ON cases_case "
    "USING gin (description gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS cases_case_address_trgm ON cases_case "
    "USING gin (address gin_trgm_ops)",
]
POSTGRES_TEARDOWN = [
    "DROP INDEX IF EXISTS cases_case_description_trgm",
    "DROP INDEX IF EXISTS cases_case_address_trgm",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_SETUP if vendor == "postgresql" else SQLITE_SETUP if vendor == "sqlite" else ():
        schema_editor.execute(sql)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in (
        POSTGRES_TEARDOWN if vendor == "postgresql" else SQLITE_TEARDOWN if vendor == "sqlite" else ()
    ):
        schema_editor.execute(sql)




class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
