"""How often one client may do something: counts per purpose, window and key in the database
(RateCount), so that every worker process and every server sees the same count. Used by the
report limits (gridgov.cases.report_limits), the log-in codes' caps and, through tally(), the
log-in throttle (gridgov.accounts.throttle).

Checking reads the counts of every key at once (one query; or read() once and decide several
times on what it read); counting adds one to each in one upsert, atomic on both databases. A
count through Django's cache took a read, a write and an expiry update per key, each its own
write transaction with the database cache: on SQLite that halved the reports a server takes
per second (docs/benchmarks.md). A check followed by a count
is still not atomic: requests racing from one client can go a few past a limit, enough for what
these limits are for: stopping a flood, not metering an exact quota. Windows that have ended
are deleted nightly (the tick's task core.clear_rate_counts).
"""

import datetime as dt
import math
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from gridgov.core.models import RateCount


def client_address(request) -> str:
    """The address a limit counts: REMOTE_ADDR, as the log-in throttle counts it.

    X-Forwarded-For is not read: any client can send one and so pick its own count. Behind a
    reverse proxy the web server must pass the client's own address (README: e.g. gunicorn's
    --proxy-protocol), or every client shares the proxy's count. Empty when unknown."""
    return request.META.get("REMOTE_ADDR") or ""


@dataclass(frozen=True)
class Rate:
    """At most `limit` hits per `seconds` for one key, counted in fixed windows that follow the
    clock (for an hour: 12:00-13:00, 13:00-14:00). A limit of 0 counts nothing and refuses
    nothing.

    Fixed windows cost one counter per key and tell a refused client exactly when to come back
    (Retry-After). Their price: a client can use up one window at its end and the next at its
    start, up to twice the limit in a short span; still far from a flood."""

    purpose: str
    limit: int
    seconds: int

    @property
    def is_on(self) -> bool:
        return self.limit > 0 and self.seconds > 0

    def window_key(self, key: str, now: float) -> str:
        return f"rate:{self.purpose}:{int(now // self.seconds)}:{key}"

    def seconds_left(self, now: float) -> int:
        """Whole seconds until the window holding `now` ends (at least 1)."""
        return max(1, math.ceil(self.seconds - now % self.seconds))


@dataclass(frozen=True)
class Exceeded:
    rate: Rate
    key: str
    retry_after: int  # seconds until the window ends and the key has room again


def _counted(checks: Iterable[tuple[Rate, str]]) -> list[tuple[Rate, str]]:
    # No key (an unknown address, no phone number) is not one shared key: it is not counted.
    return [(rate, key) for rate, key in checks if rate.is_on and key]


@dataclass(frozen=True)
class Counts:
    """Hits read at one moment: the window keys read, and the hits of those that had any."""

    keys: frozenset[str]
    hits: dict[str, int]


def read(checks: Iterable[tuple[Rate, str]]) -> Counts:
    """The hits counted so far in the current windows of these checks (one query). Pass them to
    exceeded() to decide on them without reading again."""
    now = time.time()
    keys = frozenset(rate.window_key(key, now) for rate, key in _counted(checks))
    return Counts(keys, _hits(keys))


def exceeded(checks: Iterable[tuple[Rate, str]], counts: Counts | None = None) -> Exceeded | None:
    """The first (rate, key) whose window is used up, or None when all have room. Counts
    nothing; one query for all of them, none when `counts` (from read()) holds every window
    (a window that has turned since is read again)."""
    now = time.time()
    wanted = {rate.window_key(key, now): (rate, key) for rate, key in _counted(checks)}
    if not wanted:
        return None
    found = counts.hits if counts is not None and counts.keys.issuperset(wanted) else _hits(wanted)
    for window_key, (rate, key) in wanted.items():
        if found.get(window_key, 0) >= rate.limit:
            return Exceeded(rate, key, rate.seconds_left(now))
    return None


def _table_and_key() -> tuple[str, str]:
    """The counts' table and key column, quoted for the statements written here."""
    return (connection.ops.quote_name(RateCount._meta.db_table),
            connection.ops.quote_name("key"))


def _hits(window_keys) -> dict[str, int]:
    # Every report reads these: a plain statement, without the ORM's query building.
    if not window_keys:
        return {}
    table, key_column = _table_and_key()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key_column}, hits FROM {table} "  # nosec B608  # table and column names are the model's
            f"WHERE {key_column} IN ({', '.join(['%s'] * len(window_keys))})",
            list(window_keys),
        )
        return dict(cursor.fetchall())


def count(checks: Iterable[tuple[Rate, str]]) -> None:
    """One more hit for each (rate, key), in the window of this moment: one statement."""
    now = time.time()
    hits = Counter()
    ends = {}
    for rate, key in _counted(checks):
        window_key = rate.window_key(key, now)
        hits[window_key] += 1
        ends[window_key] = timezone.now() + dt.timedelta(seconds=rate.seconds_left(now))
    if not hits:
        return
    table, key_column = _table_and_key()
    params = [value for window_key, n in hits.items() for value in (
        window_key, n, connection.ops.adapt_datetimefield_value(ends[window_key]))]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, hits, expires_at) "  # nosec B608  # table and column names are the model's
            f"VALUES {', '.join(['(%s, %s, %s)'] * len(hits))} "
            f"ON CONFLICT ({key_column}) DO UPDATE SET hits = {table}.hits + excluded.hits",
            params,
        )


def tally(key: str, *, seconds: int, cap: int) -> int:
    """Count one more hit for `key` and return the hits counted in its period, this one
    included: one statement, atomic on both databases, so that hits racing in parallel each get
    their own number (count first, then check: a caller lets hit number `cap` through and
    refuses the next). A period lasts `seconds` from the last hit that was let through; hits
    past the cap are counted without extending it, so a refusal ends on time."""
    now = timezone.now()
    table, key_column = _table_and_key()
    moment = connection.ops.adapt_datetimefield_value
    end = moment(now + dt.timedelta(seconds=seconds))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, hits, expires_at) VALUES (%s, 1, %s) "  # nosec B608  # table and column names are the model's
            f"ON CONFLICT ({key_column}) DO UPDATE SET "
            f"hits = CASE WHEN {table}.expires_at <= %s THEN 1 ELSE {table}.hits + 1 END, "
            f"expires_at = CASE WHEN {table}.expires_at <= %s OR {table}.hits < %s "
            f"THEN excluded.expires_at ELSE {table}.expires_at END "
            f"RETURNING hits",
            [key, end, moment(now), moment(now), cap],
        )
        return cursor.fetchone()[0]


def tallied(keys: Iterable[str]) -> dict[str, int]:
    """The hits tally() has counted for these keys in their current periods (one query)."""
    return dict(RateCount.objects.filter(key__in=list(keys), expires_at__gt=timezone.now())
                .values_list("key", "hits"))


def forget_ended(now: dt.datetime | None = None) -> int:
    """Delete the counts of windows that have ended; how many."""
    deleted, _ = RateCount.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
