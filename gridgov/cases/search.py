"""Full-text search of cases in Chinese, where words are not separated by spaces.

Both databases index character trigrams of the description and the address, so any run of three
or more characters is found through an index wherever it stands in a word: on SQLite an FTS5
table with the trigram tokenizer (external content, kept in sync by triggers), on PostgreSQL
pg_trgm GIN indexes answering ILIKE. Both are created by migration 0002_search; on SQLite
the triggers are put back after any later migration that rebuilds the table.

On SQLite both indexes are filled in batches (gridgov.core.textsearch; migration 0021): a new
case waits in each index's backlog until the periodic task `cases.search_index` (catch_up(),
every `gridgov tick`) reads the backlog into the index, and a search compares the backlog's few
cases itself, so a case is found as soon as it is reported.

A trigram cannot answer a term of two characters, and most Chinese words have two (井盖, 垃圾,
地震). A second index holds character pairs (bigrams) of the same text, cut at spaces and
punctuation: on SQLite a contentless FTS5 table of the pairs as words, fed by triggers through
the function gridgov_pairs() that every connection registers (so only Django writes cases, not the
sqlite3 shell); on PostgreSQL a GIN index on the SQL function gridgov_pairs() of the text. Both are
created by migration 0011_pair_search. A one-character term is matched with a plain LIKE, bounded
by the caller's other filters and page size.

On SQLite each FTS table is asked first how many cases the term matches (at most RARE_MATCHES + 1
ids, a millisecond, its backlog's matches included): a rare term's cases are then fetched by
id, a common term is compared row by row, which meets a page of matches within a few hundred
rows of the list's own order. SQLite cannot tell how many rows a MATCH yields, and left to
itself it either reads and sorts every match of a common word or walks the whole scope for a
rare one (at a million cases: 0.6 s and 1.2 s; docs/benchmarks.md). PostgreSQL's planner
estimates the matches of a trigram or a pair itself, from the indexes' statistics.

Terms separated by spaces must all match. A term that is a case number also finds that case.
"""

from django.db import connection, connections
from django.db.models import Q

# The table-independent parts live in gridgov.core.textsearch; their names stay importable here
# (cases' migrations 0002 and 0011 and the workbench read them from this module).
from gridgov.core.textsearch import (  # noqa: F401
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    PAIR,
    PAIR_TABLE,
    TRIGRAM,
    UNRANKED,
    TextIndex,
    is_indexed,
    pairs,
    register_sqlite_functions,
    restore_triggers,
    terms,
)
from gridgov.core.textsearch import catch_up as catch_up_indexes
from gridgov.core.textsearch import condition as _condition
from gridgov.core.textsearch import fts_phrase as _fts_phrase
from gridgov.core.textsearch import is_pair as _is_pair
from gridgov.core.textsearch import like_pattern as _like_pattern

RARE_MATCHES = 2000


# Trigrams (migration 0002_search). SQLite: external content, so the text is stored once; filled
# in batches from its backlog (migration 0021).
TRIGRAMS = TextIndex(
    sqlite_table="cases_case_fts",
    sqlite_create=f"""CREATE VIRTUAL TABLE IF NOT EXISTS cases_case_fts USING fts5(
        description, address, content='cases_case', content_rowid='id', tokenize='trigram',
        {UNRANKED})""",
    sqlite_triggers={
        "cases_case_fts_insert": """AFTER INSERT ON cases_case BEGIN
            INSERT INTO cases_case_fts_backlog(id) VALUES (new.id);
        END""",
        # A case still in the backlog is not in the index yet: nothing there to forget.
        "cases_case_fts_delete": """AFTER DELETE ON cases_case BEGIN
            INSERT INTO cases_case_fts(cases_case_fts, rowid, description, address)
            SELECT 'delete', old.id, old.description, old.address
            WHERE NOT EXISTS (SELECT 1 FROM cases_case_fts_backlog WHERE id = old.id);
            DELETE FROM cases_case_fts_backlog WHERE id = old.id;
        END""",
        # Only a change of the searched text touches the index, not every state change; a case
        # in the backlog is read with its text as it is when the backlog is caught up.
        "cases_case_fts_update": """AFTER UPDATE OF description, address ON cases_case
        WHEN NOT EXISTS (SELECT 1 FROM cases_case_fts_backlog WHERE id = old.id) BEGIN
            INSERT INTO cases_case_fts(cases_case_fts, rowid, description, address)
            VALUES ('delete', old.id, old.description, old.address);
            INSERT INTO cases_case_fts(rowid, description, address)
            VALUES (new.id, new.description, new.address);
        END""",
    },
    sqlite_rebuild=("INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')",),
    sqlite_backlog="cases_case_fts_backlog",
    sqlite_catch_up=(
        "INSERT INTO cases_case_fts(rowid, description, address) "
        "SELECT id, description, address FROM cases_case "
        "WHERE id IN (SELECT id FROM cases_case_fts_backlog WHERE id <= %s)"
    ),
    postgres_setup=(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS cases_case_description_trgm ON cases_case "
        "USING gin (description gin_trgm_ops)",
        "CREATE INDEX IF NOT EXISTS cases_case_address_trgm ON cases_case "
        "USING gin (address gin_trgm_ops)",
    ),
    postgres_teardown=(
        "DROP INDEX IF EXISTS cases_case_description_trgm",
        "DROP INDEX IF EXISTS cases_case_address_trgm",
    ),
)

# Character pairs (migration 0011_pair_search). SQLite: contentless, the pairs as words.
# PostgreSQL: the same cut as pairs(), runs between spaces and punctuation (ASCII and full-width).
PAIRS = TextIndex(
    sqlite_table="cases_case_pairs",
    sqlite_create=f"""CREATE VIRTUAL TABLE IF NOT EXISTS cases_case_pairs USING fts5(
        pairs, {PAIR_TABLE})""",
    sqlite_triggers={
        "cases_case_pairs_insert": """AFTER INSERT ON cases_case BEGIN
            INSERT INTO cases_case_pairs_backlog(id) VALUES (new.id);
        END""",
        # A contentless table forgets a row by being told the words it indexed; a case still in
        # the backlog was never told.
        "cases_case_pairs_delete": """AFTER DELETE ON cases_case BEGIN
            INSERT INTO cases_case_pairs(cases_case_pairs, rowid, pairs)
            SELECT 'delete', old.id, gridgov_pairs(old.description, old.address)
            WHERE NOT EXISTS (SELECT 1 FROM cases_case_pairs_backlog WHERE id = old.id);
            DELETE FROM cases_case_pairs_backlog WHERE id = old.id;
        END""",
        "cases_case_pairs_update": """AFTER UPDATE OF description, address ON cases_case
        WHEN NOT EXISTS (SELECT 1 FROM cases_case_pairs_backlog WHERE id = old.id) BEGIN
            INSERT INTO cases_case_pairs(cases_case_pairs, rowid, pairs)
            VALUES ('delete', old.id, gridgov_pairs(old.description, old.address));
            INSERT INTO cases_case_pairs(rowid, pairs)
            VALUES (new.id, gridgov_pairs(new.description, new.address));
        END""",
    },
    sqlite_rebuild=(
        "INSERT INTO cases_case_pairs(cases_case_pairs) VALUES ('delete-all')",
        "INSERT INTO cases_case_pairs(rowid, pairs) "
        "SELECT id, gridgov_pairs(description, address) FROM cases_case",
    ),
    sqlite_backlog="cases_case_pairs_backlog",
    sqlite_catch_up=(
        "INSERT INTO cases_case_pairs(rowid, pairs) "
        "SELECT id, gridgov_pairs(description, address) FROM cases_case "
        "WHERE id IN (SELECT id FROM cases_case_pairs_backlog WHERE id <= %s)"
    ),
    postgres_setup=(
        r"""CREATE OR REPLACE FUNCTION gridgov_pairs(description text, address text)
            RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT coalesce(array_agg(DISTINCT substr(run, i, 2)), '{}')
            FROM regexp_split_to_table(
                     lower(coalesce(description, '') || ' ' || coalesce(address, '')),
                     '[\s[:punct:]，。、；：？！“”‘’（）《》〈〉【】「」『』…—～·￥]+') AS run,
                 generate_series(1, length(run) - 1) AS i
        $$""",
        "CREATE INDEX IF NOT EXISTS cases_case_pairs_gin ON cases_case "
        "USING gin (gridgov_pairs(description, address))",
    ),
    postgres_teardown=(
        "DROP INDEX IF EXISTS cases_case_pairs_gin",
        "DROP FUNCTION IF EXISTS gridgov_pairs(text, text)",
    ),
)

INDEXES = (TRIGRAMS, PAIRS)


def restore_sqlite_triggers(*, using="default", **kwargs) -> None:
    """After every migrate (post_migrate): put back the triggers a rebuild of cases_case dropped
    (gridgov.core.textsearch.restore_triggers)."""
    restore_triggers(connections[using], "cases_case", INDEXES)


def catch_up() -> str:
    """The periodic task `cases.search_index`: the cases reported since the last run read into
    SQLite's search indexes (gridgov.core.textsearch.catch_up)."""
    return f"{catch_up_indexes(INDEXES)} rows indexed"


# A term's text compared row by row, as LIKE compares it (SQLite: ASCII letters in either case).
_LIKE = ("(\"cases_case\".\"description\" LIKE %s ESCAPE '\\' "
         "OR \"cases_case\".\"address\" LIKE %s ESCAPE '\\')")


def _rare_term_ids(term: str, vendor: str) -> list[int] | None:
    """The ids of the cases whose text holds the term, from an index and its backlog; None when
    there are more than RARE_MATCHES of them or no index can answer the term."""
    if vendor == "sqlite" and len(term) >= TRIGRAM:
        index, phrase = TRIGRAMS, _fts_phrase(term)
    elif vendor == "sqlite" and _is_pair(term):
        index, phrase = PAIRS, _fts_phrase(term.lower())
    else:
        return None
    table, pattern = index.sqlite_table, _like_pattern(term)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH %s "  # nosec B608  # the index's own tables; values are parameters
            f"UNION ALL SELECT id FROM cases_case "
            f"WHERE id IN (SELECT id FROM {index.sqlite_backlog}) AND {_LIKE} LIMIT %s",
            [phrase, pattern, pattern, RARE_MATCHES + 1])
        ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) <= RARE_MATCHES else None


def _term_condition(term: str, vendor: str) -> Q:
    pattern = _like_pattern(term)
    ids = _rare_term_ids(term, vendor)
    if ids is not None:
        text = Q(pk__in=ids)
    elif vendor == "postgresql" and len(term) >= TRIGRAM:
        # ILIKE with three characters or more is answered by the gin_trgm_ops indexes.
        text = Q(_condition(
            '("cases_case"."description" ILIKE %s OR "cases_case"."address" ILIKE %s)',
            [pattern, pattern],
        ))
    elif vendor == "postgresql" and _is_pair(term):
        # The planner knows from the index's statistics how common a pair is: a rare one is read
        # from the GIN index, a common one met row by row in the list's own order. (Asking the
        # index first, as SQLite does, would cost a GIN bitmap of every match of a common pair.)
        text = Q(_condition(
            'gridgov_pairs("cases_case"."description", "cases_case"."address") '
            "@> gridgov_pairs(%s, '')", [term],
        ))
    elif vendor == "postgresql":
        # One character (no pair to look up): strpos() keeps the planner off a full scan of the
        # GIN indexes; the rows come from the other filters' index instead.
        lowered = term.lower()
        text = Q(_condition(
            '(strpos(lower("cases_case"."description"), %s) > 0 '
            'OR strpos(lower("cases_case"."address"), %s) > 0)',
            [lowered, lowered],
        ))
    else:
        text = Q(_condition(_LIKE, [pattern, pattern]))
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
