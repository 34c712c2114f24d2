"""SQLite with its writers queued: the database engine of the SQLite installations.

SQLite lets one writer in at a time. A transaction that finds the write lock taken waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10, 15, 20, 25 … ms between tries: under a burst
of concurrent reports the lock is free again within a millisecond while every waiter sleeps
on, and the database stands idle (docs/benchmarks.md, "Intake"). Here each write transaction
(every transaction begins IMMEDIATE: settings.py) first takes its place in a queue shared by
the threads of a process (a lock) and by the processes of the installation (an advisory lock on
a file beside the database, `<database>.writers`), so that the next writer starts as soon as
the last one commits. A writer that cannot have its turn within the database's timeout fails
as SQLite would ("database is locked"). Writes outside a transaction still meet SQLite's own
busy handler.
"""

import fcntl
import functools
import itertools
import logging
import threading
import time

from django.db import DatabaseError, OperationalError
from django.db.backends.sqlite3 import base

logger = logging.getLogger(__name__)

# A waiting process looks again this often: a turn is passed on within this delay, during
# which nobody writes. 0.1 ms rather than 0.5 ms: +3–5 % reports a second (docs/benchmarks.md,
# "Findings", stop 18), for some fifteen wake-ups of a waiter during a report's turn.
RETRY_SECONDS = 0.0001

# SQLite copies its write-ahead log into the database file (a checkpoint) and starts the log
# afresh only once every frame is copied and no reader still reads from the log. A checkpoint
# that waits for no one (PASSIVE), run after the turn has passed on, leaves behind the frames
# the next writer adds meanwhile: in the town benchmark the log's file then reached the
# automatic checkpoint's 10,000 pages (41 MB), where a writer checkpoints inside its commit
# with every other writer waiting, and each page read searches a longer log index. So every
# CHECKPOINT_EVERY commits of a process the committing writer checkpoints twice: first PASSIVE,
# after its turn has passed on, then in RESTART mode in a turn of its own (no one appends
# meanwhile): everything copied, and the log starts afresh (its file stayed at 21–33 MB;
# docs/benchmarks.md, "Findings", stop 18). Most of a checkpoint's time is the disk's: it
# syncs the log, then the database, the 11 MB written since the last one (10–13 ms; 1 ms
# without the syncs). The first pass does that while the others write; the second copies and
# syncs only what they wrote meanwhile, and is all the other writers wait for (stop 20). The
# second waits for readers at most CHECKPOINT_WAIT_MS: a long reader (an export streaming a
# million rows, which holds the log for minutes) never holds the writers up; the checkpoint
# then copies what it can, as a PASSIVE one does, and a later one restarts the log. The pages a
# report writes are mostly the same few index leaves, copied once per checkpoint however often
# written: every 64 reports rather than every 8 copies far less per report (+15–20 % reports a
# second, stop 16). The automatic checkpoint (settings.py, wal_autocheckpoint: 10,000 pages)
# stays as the backstop for writers that never reach a count of 64.
CHECKPOINT_EVERY = 64
CHECKPOINT_WAIT_MS = 5
_commits = itertools.count(1)

_queues: dict[str, tuple[threading.Lock, object]] = {}
_queues_guard = threading.Lock()


def _queue(database: str):
    with _queues_guard:
        if database not in _queues:
            # Kept open for the life of the process: the advisory lock lives on this handle.
            handle = open(f"{database}.writers", "a+b")  # noqa: SIM115
            _queues[database] = (threading.Lock(), handle)
        return _queues[database]


def _take_file_lock(handle, deadline: float) -> bool:
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(RETRY_SECONDS)


@functools.lru_cache(maxsize=512)
def _qmark_style(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class CursorWrapper(base.SQLiteCursorWrapper):
    """Django's SQLite cursor, with each statement's "%s" placeholders turned into SQLite's "?"
    once per statement text rather than by a regular expression on every execution: the same
    few statements run over and over (a report's INSERT of a case is a thousand characters), and
    five of a report's conversions ran in the writers' turn."""

    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark_style(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    _turn = None  # (thread lock, file handle) while this connection's transaction runs

    @property
    def _timeout_seconds(self) -> float:
        """How long a writer waits for its turn, as SQLite's own busy handler does (the
        `timeout` option, Python's sqlite3 default of 5 s when unset)."""
        return self.settings_dict["OPTIONS"].get("timeout", 5)

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=CursorWrapper)

    def _take_turn(self) -> None:
        thread_lock, handle = _queue(str(self.settings_dict["NAME"]))
        timeout = self._timeout_seconds
        deadline = time.monotonic() + timeout
        if not thread_lock.acquire(timeout=timeout):
            raise OperationalError("database is locked")
        if not _take_file_lock(handle, deadline):
            thread_lock.release()
            raise OperationalError("database is locked")
        self._turn = (thread_lock, handle)

    def _start_transaction_under_autocommit(self):
        if self._turn is None and not self.is_in_memory_db():
            self._take_turn()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

    def _end_turn(self):
        turn, self._turn = self._turn, None
        if turn is not None:
            thread_lock, handle = turn
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            thread_lock.release()

    def _commit(self):
        try:
            result = super()._commit()
            due = next(_commits) % CHECKPOINT_EVERY == 0 and not self.is_in_memory_db()
        finally:
            self._end_turn()
        if due:
            self._checkpoint()
        return result

    def _checkpoint(self):
        waits_ms = int(self._timeout_seconds * 1000)
        try:
            with self.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
                try:
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    self._take_turn()
                    try:
                        cursor.execute("PRAGMA wal_checkpoint(RESTART)")
                    finally:
                        self._end_turn()
                finally:
                    cursor.execute(f"PRAGMA busy_timeout={waits_ms}")
        except DatabaseError:
            # The transaction is committed: its caller must not see it fail. A later
            # checkpoint (or SQLite's automatic one) copies what this one could not.
            logger.warning("write-ahead log checkpoint failed", exc_info=True)

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._end_turn()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._end_turn()
