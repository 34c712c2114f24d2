"""Indexes for searching Chinese text, where words are not separated by spaces: the parts that do
not depend on the table searched (gridgov/cases/search.py and gridgov/services/search.py use them).

Any run of three or more characters is found through a trigram index (SQLite: an FTS5 table with
the trigram tokenizer; PostgreSQL: a pg_trgm GIN index answering LIKE). A trigram cannot answer a
term of two characters, and most Chinese words have two (井盖, 外卖, 充电): a second index holds the
character pairs of the text, cut at spaces and punctuation (SQLite: a contentless FTS5 table of the
pairs as words, fed by triggers through the function gridgov_pairs() that every connection
registers; PostgreSQL: a GIN index on the SQL function gridgov_pairs(), installed by cases'
migration 0011). A one-character term has no index; its caller compares it row by row, bounded by
its other filters.

On SQLite an index may be filled in batches (`sqlite_backlog`): a new row's insert trigger only
notes its id in the index's backlog table, and catch_up(), a periodic task of `gridgov tick`,
reads the noted rows into the index, CATCH_UP_ROWS a transaction. FTS5 writes a segment per
transaction and merges segments as they pile up: row by row, the two indexes of a new case
took 0.16 ms of the one writer's turn and nine pages of the log a report, against 0.03 ms a
row in batches of 64 (docs/benchmarks.md, "Findings", stop 20). The caller's search compares
the backlog's few rows itself (their text with LIKE) beside the index's answer, so a row is
found the moment it is committed. Edits and deletions of a row still in the backlog leave the
index alone.

A TextIndex is one such index on either database; an app's migration runs its install() and
uninstall(), and a post_migrate receiver calls restore_triggers() for the app's table.
"""

import re
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

TRIGRAM = 3
PAIR = 2

# FTS5 options every index here shares. No search ranks its matches (no bm25()), so FTS5 keeps no
# count of each row's words for ranking: its docsize table would take a page of the log per
# row written. The pair index is asked for one pair at a time, never for a phrase, so it keeps
# which rows hold a pair and not where in them (detail=none: a smaller index to write).
UNRANKED = "columnsize=0"
PAIR_TABLE = f"content='', tokenize='unicode61 remove_diacritics 0', {UNRANKED}, detail=none"

MAX_TERMS = 5
MAX_QUERY_LENGTH = 100

# A catch-up reads at most this many rows of a backlog into its index per transaction: about
# 0.1 s of the writers' turn for a case's two indexes, after a day without `gridgov tick` or a
# bulk import as after a minute's reports.
CATCH_UP_ROWS = 5000


@dataclass(frozen=True)
class TextIndex:
    """One index over a table's text, on either database: SQLite's FTS5 table (created with
    sqlite_create), the triggers that keep it in step with the table and the statements that
    re-read every row into it; PostgreSQL's setup and teardown statements. Its migration runs
    install() and uninstall(). A batched index names its backlog table (`sqlite_backlog`, ids
    only, which its triggers fill) and the statement that reads the backlog's rows into the
    index (`sqlite_catch_up`)."""

    sqlite_table: str
    sqlite_create: str
    sqlite_triggers: dict[str, str]
    sqlite_rebuild: tuple[str, ...]
    postgres_setup: tuple[str, ...]
    postgres_teardown: tuple[str, ...]
    sqlite_backlog: str = ""
    sqlite_catch_up: str = ""

    def create_triggers(self, execute, names) -> None:
        for name in names:
            execute(f"CREATE TRIGGER IF NOT EXISTS {name} {self.sqlite_triggers[name]}")

    def rebuild(self, execute) -> None:
        """SQLite: every row read into the index afresh; its backlog is then empty."""
        for sql in self.sqlite_rebuild:
            execute(sql)
        if self.sqlite_backlog:
            execute(f"DELETE FROM {self.sqlite_backlog}")  # nosec B608  # the index's own table

    def catch_up(self, cursor, rows: int) -> int:
        """SQLite, inside the caller's transaction: the backlog's oldest `rows` rows read into
        the index (sqlite_catch_up takes the last id to read); returns how many."""
        cursor.execute(f"SELECT max(id) FROM (SELECT id FROM {self.sqlite_backlog} "  # nosec B608  # the index's own table
                       "ORDER BY id LIMIT %s)", [rows])
        (last,) = cursor.fetchone()
        if last is None:
            return 0
        cursor.execute(self.sqlite_catch_up, [last])
        cursor.execute(f"DELETE FROM {self.sqlite_backlog} WHERE id <= %s", [last])  # nosec B608  # the index's own table
        return cursor.rowcount

    def create_backlog(self, execute) -> None:
        if self.sqlite_backlog:
            execute(f"CREATE TABLE IF NOT EXISTS {self.sqlite_backlog} (id INTEGER PRIMARY KEY)")

    def install(self, apps, schema_editor) -> None:
        """Create the index and fill it with the rows already there."""
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            for sql in self.postgres_setup:
                schema_editor.execute(sql)
        elif vendor == "sqlite":
            self.create_backlog(schema_editor.execute)
            schema_editor.execute(self.sqlite_create)
            self.create_triggers(schema_editor.execute, self.sqlite_triggers)
            self.rebuild(schema_editor.execute)

    def recreate_sqlite_table(self, apps, schema_editor) -> None:
        """On SQLite, build the FTS5 table afresh from sqlite_create (its options are fixed when
        it is created) and re-read every row into it; PostgreSQL's indexes are left as they are."""
        if schema_editor.connection.vendor == "sqlite":
            self.uninstall(apps, schema_editor)
            self.install(apps, schema_editor)

    def replace_sqlite_triggers(self, apps, schema_editor) -> None:
        """On SQLite, the triggers replaced by those of sqlite_triggers (and the backlog they
        fill created), the index's rows kept: for a migration that changes only how the index
        is fed."""
        if schema_editor.connection.vendor == "sqlite":
            for name in self.sqlite_triggers:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
            self.create_backlog(schema_editor.execute)
            self.create_triggers(schema_editor.execute, self.sqlite_triggers)

    def uninstall(self, apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            for sql in self.postgres_teardown:
                schema_editor.execute(sql)
        elif vendor == "sqlite":
            for name in self.sqlite_triggers:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {self.sqlite_table}")
            if self.sqlite_backlog:
                schema_editor.execute(f"DROP TABLE IF EXISTS {self.sqlite_backlog}")


def catch_up(indexes, *, using: str = "default", rows: int = CATCH_UP_ROWS) -> int:
    """SQLite: the rows waiting in the backlogs of `indexes` read into them, at most `rows` of
    each backlog a transaction (the writers' turn, which every report waits for); returns how
    many. Nothing to do on PostgreSQL, whose indexes are the database's own."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return 0
    batched = [index for index in indexes if index.sqlite_backlog]
    done = 0
    while True:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            read = [index.catch_up(cursor, rows) for index in batched]
        done += sum(read)
        if all(count < rows for count in read):
            return done


def restore_triggers(connection, table: str, indexes) -> None:
    """After a migrate, on SQLite: Django rebuilds a table under a new name when a migration alters
    most of its columns, and the triggers of the old table go with it. Put back the triggers of
    `indexes` on `table` and re-read the text they missed."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "OR (type = 'trigger' AND tbl_name = %s)", [table]
        )
        present = {name for (name,) in cursor.fetchall()}
        for index in indexes:
            if index.sqlite_table not in present:  # migrated back before the index's migration
                continue
            missing = [name for name in index.sqlite_triggers if name not in present]
            if missing:
                index.create_backlog(cursor.execute)
                index.create_triggers(cursor.execute, missing)
                index.rebuild(cursor.execute)


_RUNS = re.compile(r"[^\W_]+")


def pairs(*texts: str) -> str:
    """The distinct character pairs of the texts' runs of letters and digits, lower-cased and
    space-separated: 井盖破损，急 -> "井盖 盖破 破损"."""
    found = set()
    for text in texts:
        for run in _RUNS.findall((text or "").lower()):
            found.update(run[i:i + PAIR] for i in range(len(run) - 1))
    return " ".join(sorted(found))


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """connection_created: the function the pair indexes' triggers call."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("gridgov_pairs", 2, pairs, deterministic=True)


def terms(text: str) -> list[str]:
    """The words of a query, at most a few, each at most a sentence long."""
    return (text or "")[:MAX_QUERY_LENGTH].split()[:MAX_TERMS]


def like_pattern(term: str) -> str:
    """A LIKE pattern finding `term` anywhere, with LIKE's own characters escaped by \\."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts_phrase(term: str) -> str:
    """`term` as one FTS5 phrase (a quoted string, its quotes doubled)."""
    return '"' + term.replace('"', '""') + '"'


def condition(sql: str, params) -> RawSQL:
    return RawSQL(sql, params, output_field=BooleanField())  # nosec B611  # the SQL is the caller's own; values are parameters


def is_pair(term: str) -> bool:
    """Whether the pair index answers the term: two letters or digits."""
    return len(term) == PAIR and pairs(term) == term.lower()


def is_indexed(term: str) -> bool:
    """Whether an index answers the term (three characters or more, or a pair of letters or
    digits); any other is compared row by row."""
    return len(term) >= TRIGRAM or is_pair(term)
