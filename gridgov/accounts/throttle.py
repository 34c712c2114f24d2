"""Failed log-ins are counted per phone number and per address; too many pause further tries.

Each try is counted first, atomically, and checked after (core.ratelimit.tally): of forty
wrong passwords sent at once, exactly LOGIN_MAX_FAILURES are checked and the rest refused
unread. A try counts for LOGIN_LOCKOUT_SECONDS; once LOGIN_MAX_FAILURES have piled up, every
try (right password included) is refused until that period has passed since the last try let
through. A success clears the number's count and gives its try back to the address. The counts
live in the database (RateCount), shared by every process and server whatever the cache.
"""

from django.conf import settings

from gridgov.core import ratelimit

# An address may try several accounts (a family, an office), so it gets more room.
ADDRESS_FACTOR = 4


def _limits(phone_index: str, ip: str | None) -> dict[str, int]:
    limits = {f"login:phone:{phone_index}": settings.LOGIN_MAX_FAILURES}
    if ip:
        limits[f"login:ip:{ip}"] = settings.LOGIN_MAX_FAILURES * ADDRESS_FACTOR
    return limits


def attempt(phone_index: str, ip: str | None) -> bool:
    """Count this try, then say whether it may be checked (False: refuse it unread)."""
    counts = [ratelimit.tally(key, seconds=settings.LOGIN_LOCKOUT_SECONDS, cap=limit) <= limit
              for key, limit in _limits(phone_index, ip).items()]
    return all(counts)


def is_locked_out(phone_index: str, ip: str | None) -> bool:
    """Whether the next try would be refused (counts nothing: for sending a code)."""
    limits = _limits(phone_index, ip)
    counts = ratelimit.tallied(limits)
    return any(counts.get(key, 0) >= limit for key, limit in limits.items())


def succeeded(phone_index: str, ip: str | None) -> None:
    from gridgov.core.models import RateCount
    from django.db.models import F

    RateCount.objects.filter(key=f"login:phone:{phone_index}").delete()
    if ip:
        RateCount.objects.filter(key=f"login:ip:{ip}", hits__gt=0).update(hits=F("hits") - 1)
