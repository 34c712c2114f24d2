"""Small reference tables that nearly every write reads, kept in each server process.

A resident's report names its category, and the report must check that the category exists
and is active: one query per report, through the ORM about a seventh of the report's own work
(docs/benchmarks.md, "Intake"). The catalogue changes a few times a year. A snapshot holds
such a table's rows in the process: read on first use, read again after `seconds`, and dropped
at once when a row of its model is saved or deleted in this process (and again when that
transaction commits). Another server process sees the change within `seconds`; so does this one
after a QuerySet.update(), which sends no signal. Rows are handed out as copies: a caller that
sets an attribute or caches a relation on one does not change what the next request gets.
"""

import copy
import threading
import time
from collections.abc import Callable

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

_all: list["Snapshot"] = []


class Snapshot:
    def __init__(self, model: type[models.Model], rows: Callable[[], models.QuerySet], *,
                 seconds: float = 30):
        self.model, self.rows, self.seconds = model, rows, seconds
        self._by_pk: dict | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()
        post_save.connect(self._changed, sender=model, weak=False)
        post_delete.connect(self._changed, sender=model, weak=False)
        _all.append(self)

    def queryset(self) -> models.QuerySet:
        """The rows as a query (for what must list them from the table, a form's choices)."""
        return self.rows()

    def get(self, pk):
        """A copy of the row with this primary key, or None when the snapshot has none."""
        by_pk = self._by_pk
        if by_pk is None or time.monotonic() - self._read_at > self.seconds:
            by_pk = self._read()
        row = by_pk.get(pk)
        return copy.copy(row) if row is not None else None

    def clear(self) -> None:
        self._by_pk = None

    def _read(self) -> dict:
        with self._lock:
            if self._by_pk is None or time.monotonic() - self._read_at > self.seconds:
                started = time.monotonic()
                self._by_pk = {row.pk: row for row in self.rows()}
                self._read_at = started
            return self._by_pk

    def _changed(self, **_kwargs) -> None:
        self.clear()
        # What was read inside the changing transaction may not be what it commits.
        transaction.on_commit(self.clear)


def clear_all() -> None:
    """Forget every snapshot (a test starts from the rows of its own database)."""
    for snapshot in _all:
        snapshot.clear()
