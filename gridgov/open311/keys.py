"""API keys for posting Open311 requests: issued once, kept only as a SHA-256 hash (a random key
of 256 bits needs no salt), looked up by that hash."""

import hashlib
import string

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from gridgov.core import audit
from gridgov.open311.models import Open311Key

audit.register("cases.open_api_key.issued", "发放 Open311 接口密钥")
audit.register("cases.open_api_key.changed", "修改 Open311 接口密钥")


# Letters and digits only: a key or its prefix starting with "-" would be read as an option by
# `open311_key revoke`, and a double click selects the whole key. 43 characters carry 256 bits.
KEY_ALPHABET = string.ascii_letters + string.digits
KEY_LENGTH = 43


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_key(key: Open311Key, *, actor) -> str:
    """Save a new key row (town and name set by the caller) with a fresh secret; returns the
    secret, which is never shown again."""
    raw = get_random_string(KEY_LENGTH, KEY_ALPHABET)
    key.prefix, key.key_hash = raw[:8], digest(raw)
    with transaction.atomic():
        key.save()
        audit.record("cases.open_api_key.issued", actor=actor, target=key,
                     changes={"town": key.town_id, "name": key.name})
    return raw


def set_active(key: Open311Key, active: bool, *, actor) -> None:
    with transaction.atomic():
        Open311Key.objects.filter(pk=key.pk).update(is_active=active)
        audit.record("cases.open_api_key.changed", actor=actor, target=key,
                     changes={"is_active": [key.is_active, active]})
    key.is_active = active


def authenticate(raw: str | None) -> Open311Key | None:
    """The active key matching `raw`, its last use noted; None for a missing or unknown key."""
    if not raw:
        return None
    key = Open311Key.objects.select_related("town").filter(
        key_hash=digest(raw), is_active=True).first()
    if key is not None:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key
