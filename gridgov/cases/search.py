"""Full-text search of cases in Chinese, where words are not separated by spaces.

Both databases index character trigrams of the description and the address, so any run of three
or more characters is found through an index wherever it stands in a word: on SQLite an FTS5
table with the trigram tokenizer (external content, kept in sync by triggers), on PostgreSQL
pg_trgm GIN indexes answering ILIKE. Both are created by migration 0002_search; on SQLite
the triggers are put back after any later migration that rebuilds the table.

A trigram index cannot answer a term of one or two characters (井盖, 垃圾): such a term is matched
with a plain LIKE on the case rows, which the caller bounds by its other filters (scope, state,
dates) and by the page size — the workbench orders by an index and stops at the first page.

On SQLite the FTS table is asked first how many cases a longer term matches (at most
RARE_MATCHES + 1 ids, a millisecond): a rare term's cases are then fetched by id, a common term is
compared row by row like a short one, which meets a page of matches within a few hundred rows of
the list's own order. SQLite cannot tell how many rows a MATCH yields, and left to itself it
either reads and sorts every match of a common word or walks the whole scope for a rare one (at
a million cases: 0.6 s and 1.2 s; docs/benchmarks.md). PostgreSQL's planner estimates the
trigram matches itself.

Terms separated by spaces must all match. A term that is a case number also finds that case.
"""

from django.db import connection, connections
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

TRIGRAM = 3
RARE_MATCHES = 2000
MAX_TERMS = 5
MAX_QUERY_LENGTH = 100

# SQLite: the FTS5 table and the triggers that keep it in step with cases_case.
SQLITE_TABLE = """CREATE VIRTUAL TABLE IF NOT EXISTS cases_case_fts USING fts5(
    description, address, content='cases_case', content_rowid='id', tokenize='trigram')"""
SQLITE_TRIGGERS = {
    "cases_case_fts_insert": """AFTER INSERT ON cases_case BEGIN
        INSERT INTO cases_case_fts(rowid, description, address)
        VALUES (new.id, new.description, new.address);
    END""",
    "cases_case_fts_delete": """AFTER DELETE ON cases_case BEGIN
        INSERT INTO cases_case_fts(cases_case_fts, rowid, description, address)
        VALUES ('delete', old.id, old.description, old.address);
    END""",
    # Only a change of the searched text touches the index, not every state change.
    "cases_case_fts_update": """AFTER UPDATE OF description, address ON cases_case BEGIN
        INSERT INTO cases_case_fts(cases_case_fts, rowid, description, address)
        VALUES ('delete', old.id, old.description, old.address);
        INSERT INTO cases_case_fts(rowid, description, address)
        VALUES (new.id, new.description, new.address);
    END""",
}
SQLITE_REBUILD = "INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')"
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


def _create_triggers(execute, names) -> None:
    for name in names:
        execute(f"CREATE TRIGGER IF NOT EXISTS {name} {SQLITE_TRIGGERS[name]}")


def install(apps, schema_editor):
    """Migration 0002_search: create the index and fill it with the cases already there."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_SETUP:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TABLE)
        _create_triggers(schema_editor.execute, SQLITE_TRIGGERS)
        schema_editor.execute(SQLITE_REBUILD)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_TEARDOWN:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute("DROP TABLE IF EXISTS cases_case_fts")


def restore_sqlite_triggers(*, using="default", **kwargs) -> None:
    """After every migrate (post_migrate): SQLite cannot alter most columns in place, so Django
    rebuilds cases_case under a new name when a later migration changes it, and the triggers
    of the old table go with it. Put them back and re-read the text they missed."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name FROM sqlite_master WHERE name = 'cases_case_fts' "
            "OR (type = 'trigger' AND tbl_name = 'cases_case')"
        )
        present = {name for _type, name in cursor.fetchall()}
        if "cases_case_fts" not in present:  # migrated back before 0002_search
            return
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        if missing:
            _create_triggers(cursor.execute, missing)
            cursor.execute(SQLITE_REBUILD)


def terms(text: str) -> list[str]:
    """The words of a query, at most a few, each at most a sentence long."""
    return (text or "")[:MAX_QUERY_LENGTH].split()[:MAX_TERMS]


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _condition(sql: str, params) -> RawSQL:
    return RawSQL(sql, params, output_field=BooleanField())


def _rare_term_ids(term: str) -> list[int] | None:
    """SQLite: the ids of the cases whose text holds the term, or None when there are more than
    RARE_MATCHES of them."""
    phrase = '"' + term.replace('"', '""') + '"'
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s LIMIT %s",
                       [phrase, RARE_MATCHES + 1])
        ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) <= RARE_MATCHES else None


def _term_condition(term: str, vendor: str) -> Q:
    pattern = _like_pattern(term)
    ids = _rare_term_ids(term) if vendor == "sqlite" and len(term) >= TRIGRAM else None
    if ids is not None:
        text = Q(pk__in=ids)
    elif vendor == "postgresql" and len(term) >= TRIGRAM:
        # ILIKE with three characters or more is answered by the gin_trgm_ops indexes.
        text = Q(_condition(
            '("cases_case"."description" ILIKE %s OR "cases_case"."address" ILIKE %s)',
            [pattern, pattern],
        ))
    elif vendor == "postgresql":
        # Too short for a trigram: strpos() keeps the planner off a full scan of the GIN index;
        # the rows come from the other filters' index instead.
        lowered = term.lower()
        text = Q(_condition(
            '(strpos(lower("cases_case"."description"), %s) > 0 '
            'OR strpos(lower("cases_case"."address"), %s) > 0)',
            [lowered, lowered],
        ))
    else:
        text = Q(_condition(
            "(\"cases_case\".\"description\" LIKE %s ESCAPE '\\' "
            "OR \"cases_case\".\"address\" LIKE %s ESCAPE '\\')",
            [pattern, pattern],
        ))
    return text | Q(number=term.upper())


def search(queryset, text: str):
    """Cases of `queryset` whose description or address contains every term of `text`."""
    words = terms(text)
    if not words:
        return queryset
    vendor = connection.vendor
    for word in words:
        queryset = queryset.filter(_term_condition(word, vendor))
    return queryset
