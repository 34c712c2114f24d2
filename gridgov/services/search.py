"""Searching the catalogue in Chinese: every term must appear somewhere in the item's text.

Chinese has no spaces between words and most words have two characters (外卖, 骑手, 充电), so a
search must find any run of characters inside the text: the one lower-cased column
`ServiceItem.search_text` (kept by save()). It is indexed as the cases' text is
(gridgov.core.textsearch), by migration 0002_search, and the indexes are kept in step by
triggers (SQLite) or by the database itself (PostgreSQL's indexes on the column):
- a term of three characters or more by its trigrams: SQLite an FTS5 table with the trigram
  tokenizer (case-sensitive, the column and the terms being lower-cased already, so a match is
  exactly a substring); PostgreSQL a pg_trgm GIN index answering LIKE, offered beside the pair
  index (whose statistics the planner can use; see _postgres_index);
- a term of two letters or digits (外卖) by the character pairs of the text: SQLite a contentless
  FTS5 table of the pairs; PostgreSQL a GIN index on gridgov_pairs(search_text, '');
- any other term (one character, or two with punctuation) by a substring test on the rows the
  other terms and the caller's filters leave (the town's active items at most).
The substring test is applied to every term as well: the indexes choose the rows, the test
decides, so the matches are exactly those of a scan. On SQLite all the terms an FTS table answers
are asked in one MATCH (their intersection), not one lookup per term.

The query is split into terms as the cases' search splits it (same bounds), and items whose name
holds the terms come first, then by code.
"""

from django.db import connection, connections
from django.db.models import Case, Count, IntegerField, Q, Value, When, Window

from gridgov.core.textsearch import (
    PAIR_TABLE,
    TRIGRAM,
    UNRANKED,
    TextIndex,
    condition,
    fts_phrase,
    is_pair,
    like_pattern,
    pairs,
    restore_triggers,
    terms,
)

TABLE = "services_serviceitem"
COLUMN = f'"{TABLE}"."search_text"'

# A substring test without LIKE's pattern and case folding (the column is lower-cased already):
# SQLite's instr() and PostgreSQL's strpos() read the text once, about twice as fast as LIKE.
POSITION = {"sqlite": "instr", "postgresql": "strpos"}

# Trigrams of the search text. SQLite: external content (the text is stored once), case-sensitive
# because the column and the terms are lower-cased by Python, which FTS5's folding may not match.
TRIGRAMS = TextIndex(
    sqlite_table="services_serviceitem_fts",
    sqlite_create=f"""CREATE VIRTUAL TABLE IF NOT EXISTS services_serviceitem_fts USING fts5(
        search_text, content='services_serviceitem', content_rowid='id',
        tokenize='trigram case_sensitive 1', {UNRANKED})""",
    sqlite_triggers={
        "services_serviceitem_fts_insert": """AFTER INSERT ON services_serviceitem BEGIN
            INSERT INTO services_serviceitem_fts(rowid, search_text)
            VALUES (new.id, new.search_text);
        END""",
        "services_serviceitem_fts_delete": """AFTER DELETE ON services_serviceitem BEGIN
            INSERT INTO services_serviceitem_fts(services_serviceitem_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        END""",
        # Only a change of the searched text touches the index.
        "services_serviceitem_fts_update": """AFTER UPDATE OF search_text ON services_serviceitem
        BEGIN
            INSERT INTO services_serviceitem_fts(services_serviceitem_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
            INSERT INTO services_serviceitem_fts(rowid, search_text)
            VALUES (new.id, new.search_text);
        END""",
    },
    sqlite_rebuild=("INSERT INTO services_serviceitem_fts(services_serviceitem_fts) "
                    "VALUES ('rebuild')",),
    postgres_setup=(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS services_serviceitem_search_trgm ON services_serviceitem "
        "USING gin (search_text gin_trgm_ops)",
    ),
    postgres_teardown=("DROP INDEX IF EXISTS services_serviceitem_search_trgm",),
)

# Character pairs of the search text. SQLite: contentless, the pairs as words, fed through the
# gridgov_pairs() function every connection registers. PostgreSQL: the SQL function of the same
# name that cases' migration 0011_pair_search installs.
PAIRS = TextIndex(
    sqlite_table="services_serviceitem_pairs",
    sqlite_create=f"""CREATE VIRTUAL TABLE IF NOT EXISTS services_serviceitem_pairs USING fts5(
        pairs, {PAIR_TABLE})""",
    sqlite_triggers={
        "services_serviceitem_pairs_insert": """AFTER INSERT ON services_serviceitem BEGIN
            INSERT INTO services_serviceitem_pairs(rowid, pairs)
            VALUES (new.id, gridgov_pairs(new.search_text, ''));
        END""",
        # A contentless table forgets a row by being told the words it indexed.
        "services_serviceitem_pairs_delete": """AFTER DELETE ON services_serviceitem BEGIN
            INSERT INTO services_serviceitem_pairs(services_serviceitem_pairs, rowid, pairs)
            VALUES ('delete', old.id, gridgov_pairs(old.search_text, ''));
        END""",
        "services_serviceitem_pairs_update": """AFTER UPDATE OF search_text
        ON services_serviceitem BEGIN
            INSERT INTO services_serviceitem_pairs(services_serviceitem_pairs, rowid, pairs)
            VALUES ('delete', old.id, gridgov_pairs(old.search_text, ''));
            INSERT INTO services_serviceitem_pairs(rowid, pairs)
            VALUES (new.id, gridgov_pairs(new.search_text, ''));
        END""",
    },
    sqlite_rebuild=(
        "INSERT INTO services_serviceitem_pairs(services_serviceitem_pairs) VALUES ('delete-all')",
        "INSERT INTO services_serviceitem_pairs(rowid, pairs) "
        "SELECT id, gridgov_pairs(search_text, '') FROM services_serviceitem",
    ),
    postgres_setup=(
        "CREATE INDEX IF NOT EXISTS services_serviceitem_pairs_gin ON services_serviceitem "
        "USING gin (gridgov_pairs(search_text, ''))",
    ),
    postgres_teardown=("DROP INDEX IF EXISTS services_serviceitem_pairs_gin",),
)

INDEXES = (TRIGRAMS, PAIRS)


def restore_sqlite_triggers(*, using="default", **kwargs) -> None:
    """post_migrate: put back the triggers a rebuild of services_serviceitem dropped."""
    restore_triggers(connections[using], TABLE, INDEXES)


def contains(column: str, term: str) -> Q:
    """The substring test of one (lower-cased) term on one column of the items."""
    function = POSITION.get(connection.vendor)
    if function is None:
        return Q(**{f"{column}__contains": term})
    return Q(condition(f'{function}("{TABLE}"."{column}", %s) > 0', [term]))


def _sqlite_index(words: list[str]) -> Q:
    """The ids the FTS tables name for every term they can answer, in one MATCH per table."""
    found = Q()
    for index, answered in ((TRIGRAMS, [w for w in words if len(w) >= TRIGRAM]),
                            (PAIRS, [w for w in words if is_pair(w)])):
        if answered:
            table = index.sqlite_table
            found &= Q(condition(
                f'"{TABLE}"."id" IN (SELECT rowid FROM {table} WHERE {table} MATCH %s)',  # nosec B608  # table names are this module's own; the terms are a parameter
                [" ".join(fts_phrase(w) for w in answered)]))
    return found


def _postgres_index(word: str) -> Q:
    found = Q()
    if len(word) >= TRIGRAM:
        # LIKE (exact, the column being lower-cased) is answered by the gin_trgm_ops index.
        found &= Q(condition(f"{COLUMN} LIKE %s", [like_pattern(word)]))
    if is_pair(word) or (len(word) >= TRIGRAM and pairs(word)):
        # A longer word asks the pair index too: PostgreSQL estimates how many rows hold a set of
        # pairs from the index's statistics, while it guesses at a LIKE pattern's and, guessing
        # few, reads a common word (党建指导: 2,000 of 50,000) by a scan of every row (40 ms
        # against 9). Given both, it reads the cheaper index and filters by the other.
        found &= Q(condition(f"gridgov_pairs({COLUMN}, '') @> gridgov_pairs(%s, '')", [word]))
    return found


def matching(items, text: str):
    """Items of `items` whose text contains every term of `text` (at most five terms of at most
    100 characters in all), in no particular order: what a count reads."""
    words = [w.lower() for w in terms(text)]
    if not words:
        return items
    vendor = connection.vendor
    if vendor == "sqlite":
        items = items.filter(_sqlite_index(words))
    for word in words:
        if vendor == "postgresql":
            items = items.filter(_postgres_index(word))
        items = items.filter(contains("search_text", word))
    return items


def ranked(items, text: str):
    """`items` with those whose name holds every term first, then by code (the catalogue's own
    numbering), which needs no join to sort."""
    in_name = Q()
    for word in (w.lower() for w in terms(text)):
        in_name &= contains("name", word)
    return items.annotate(
        name_rank=Case(When(in_name, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("name_rank", "code")


def search(items, text: str):
    """The matching items, ranked (a queryset, for short lists)."""
    if not terms(text):
        return items
    return ranked(matching(items, text), text)


def search_page(items, text: str, offset: int, size: int, related=()) -> tuple[int, list]:
    """(how many match, the page of rows) in one pass over the matches: the page's ids sorted on
    two narrow columns, each carrying the count of all matches (a window over the whole
    result), then those rows alone read whole with `related`. Sorting whole rows of every match,
    or scanning once for the count and again for the page, is what makes a search slow."""
    found = matching(items, text) if terms(text) else items
    ordered = ranked(found, text) if terms(text) else found
    keys = list(ordered.annotate(matches=Window(Count("pk")))
                .values_list("pk", "matches")[offset:offset + size])
    total = keys[0][1] if keys else (found.count() if offset else 0)
    ids = [pk for pk, _matches in keys]
    rows = items.model.objects.select_related(*related).in_bulk(ids)
    return total, [rows[pk] for pk in ids]
