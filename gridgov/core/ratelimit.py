"""How often one client may do something: counts per purpose and key in Django's cache.

The counts live in settings.CACHES (the database table by default, Redis when REDIS_URL is set),
so every worker process and every server sees the same count. Used by the report limits
(gridgov.cases.report_limits) and the log-in throttle (gridgov.accounts.throttle).

Neither the database cache's incr() (a read then a write) nor a check followed by a count is
atomic: requests racing from one client can go a few past a limit. That is enough for what these
limits are for: stopping a flood, not metering an exact quota.
"""

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache


def client_address(request) -> str:
    """The address a limit counts: REMOTE_ADDR, as the log-in throttle counts it.

    X-Forwarded-For is not read: any client can send one and so pick its own count. Behind a
    reverse proxy the web server must pass the client's own address (README: e.g. gunicorn's
    --proxy-protocol), or every client shares the proxy's count. Empty when unknown."""
    return request.META.get("REMOTE_ADDR") or ""


def bump(key: str, seconds: int) -> int:
    """Add one to the count under `key`, which now lives `seconds` from this moment; return the
    new count."""
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=seconds)
        return 1
    # The database cache's incr() re-sets the key with its default expiry (5 minutes): put the
    # expiry back, on every backend alike.
    cache.touch(key, seconds)
    return count


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

    def cache_key(self, key: str, now: float) -> str:
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


def exceeded(checks: Iterable[tuple[Rate, str]]) -> Exceeded | None:
    """The first (rate, key) whose window is used up, or None when all have room. Counts
    nothing; one cache read for all of them."""
    now = time.time()
    wanted = {rate.cache_key(key, now): (rate, key) for rate, key in _counted(checks)}
    if not wanted:
        return None
    counts = cache.get_many(list(wanted))
    for cache_key, (rate, key) in wanted.items():
        if counts.get(cache_key, 0) >= rate.limit:
            return Exceeded(rate, key, rate.seconds_left(now))
    return None


def count(checks: Iterable[tuple[Rate, str]]) -> None:
    """One more hit for each (rate, key), in the window of this moment."""
    now = time.time()
    for rate, key in _counted(checks):
        # The count is kept until its window ends; later windows have keys of their own.
        bump(rate.cache_key(key, now), rate.seconds_left(now))
