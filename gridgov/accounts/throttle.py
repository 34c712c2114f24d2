"""Failed log-ins are counted per phone number and per address; too many pause further tries.

A failure counts for LOGIN_LOCKOUT_SECONDS; once LOGIN_MAX_FAILURES have piled up, every try
(right password included) is refused until that period has passed since the last failure.
"""

from django.conf import settings
from django.core.cache import cache


def _keys(phone_index: str, ip: str | None) -> list[str]:
    keys = [f"login-fail:phone:{phone_index}"]
    if ip:
        keys.append(f"login-fail:ip:{ip}")
    return keys


def is_locked_out(phone_index: str, ip: str | None) -> bool:
    counts = cache.get_many(_keys(phone_index, ip))
    # An address may try several accounts (a family, an office), so it gets more room.
    return any(
        count >= settings.LOGIN_MAX_FAILURES * (4 if ":ip:" in key else 1)
        for key, count in counts.items()
    )


def note_failure(phone_index: str, ip: str | None) -> None:
    for key in _keys(phone_index, ip):
        if cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        else:
            # The database cache's incr() re-sets the key with its default expiry (5 minutes):
            # put the lock-out period back, counted from this failure, on every backend alike.
            cache.touch(key, settings.LOGIN_LOCKOUT_SECONDS)


def clear(phone_index: str) -> None:
    cache.delete(f"login-fail:phone:{phone_index}")
