"""SQLite's search indexes filled in batches (gridgov.core.textsearch, gridgov.cases.search): a
new case's insert triggers only note its id in each index's backlog, which the periodic task
`cases.search_index` reads into the index; deletions and edits of a case in the backlog leave
the index alone. The indexes' rows are kept. PostgreSQL's indexes are unchanged.

Going back puts back the triggers that wrote each case into the indexes at once, after reading
the backlogs into the indexes."""

from django.db import migrations

from gridgov.cases import search
from gridgov.core import textsearch

# The triggers before this migration, by name (their bodies as migrations 0002 and 0011 made
# them).
ROW_BY_ROW = {
    "cases_case_fts_insert": """AFTER INSERT ON cases_case BEGIN
        INSERT INTO cases_case_fts(rowid, description, address)
        VALUES (new.id, new.description, new.address);
    END""",
    "cases_case_fts_delete": """AFTER DELETE ON cases_case BEGIN
        INSERT INTO cases_case_fts(cases_case_fts, rowid, description, address)
        VALUES ('delete', old.id, old.description, old.address);
    END""",
    "cases_case_fts_update": """AFTER UPDATE OF description, address ON cases_case BEGIN
        INSERT INTO cases_case_fts(cases_case_fts, rowid, description, address)
        VALUES ('delete', old.id, old.description, old.address);
        INSERT INTO cases_case_fts(rowid, description, address)
        VALUES (new.id, new.description, new.address);
    END""",
    "cases_case_pairs_insert": """AFTER INSERT ON cases_case BEGIN
        INSERT INTO cases_case_pairs(rowid, pairs)
        VALUES (new.id, gridgov_pairs(new.description, new.address));
    END""",
    "cases_case_pairs_delete": """AFTER DELETE ON cases_case BEGIN
        INSERT INTO cases_case_pairs(cases_case_pairs, rowid, pairs)
        VALUES ('delete', old.id, gridgov_pairs(old.description, old.address));
    END""",
    "cases_case_pairs_update": """AFTER UPDATE OF description, address ON cases_case BEGIN
        INSERT INTO cases_case_pairs(cases_case_pairs, rowid, pairs)
        VALUES ('delete', old.id, gridgov_pairs(old.description, old.address));
        INSERT INTO cases_case_pairs(rowid, pairs)
        VALUES (new.id, gridgov_pairs(new.description, new.address));
    END""",
}


def batched(apps, schema_editor):
    for index in search.INDEXES:
        index.replace_sqlite_triggers(apps, schema_editor)


def row_by_row(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    textsearch.catch_up(search.INDEXES, using=schema_editor.connection.alias)
    with schema_editor.connection.cursor() as cursor:
        for index in search.INDEXES:
            for name in index.sqlite_triggers:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {ROW_BY_ROW[name]}")
            cursor.execute(f"DROP TABLE {index.sqlite_backlog}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0020_unranked_search_tables")]
    operations = [migrations.RunPython(batched, row_by_row)]
