"""Photos kept across a failed report submission (issue 12, item 3).

A report form that comes back with an error (a missing type, a point outside the town, a report
limit) used to drop every photo: a browser never fills a file input again, and a resident on a
slow connection had to pick and upload them once more. The photos are therefore kept on the
server, already checked and stripped (gridgov.core.photos), under a random key of that form
submission (cases/pending/<key>/); the form comes back with the key and a thumbnail of each, and
the next submission takes them from there. Kept on the server rather than re-attached by script:
it works without JavaScript, survives the page being reloaded, and never uploads a photo twice.

The key is the credential (like a tracking code: 144 random bits, never shown elsewhere); the
files sit under the case photos' folder, where `gridgov sweep_photos` deletes whatever no
CasePhoto names after 24 hours, so a report never finished leaves nothing behind for long.
"""

import re
import secrets

from django.core.files.base import ContentFile

from .models import CasePhoto

FOLDER = "cases/pending"
KEY = re.compile(r"^[A-Za-z0-9_-]{24}$")
# Two digits keep the order the photos were chosen in, the rest is random.
NAME = re.compile(r"^\d{2}[0-9a-f]{32}\.(jpg|png|webp)$")


def _storage():
    return CasePhoto.image.field.storage


def valid_key(key: str) -> bool:
    return bool(KEY.match(key or ""))


def names(key: str) -> list[str]:
    """The kept photos of this submission, in the order they were chosen."""
    if not valid_key(key):
        return []
    try:
        _folders, files = _storage().listdir(f"{FOLDER}/{key}")
    except FileNotFoundError:
        return []
    return sorted(name for name in files if NAME.match(name))


def path(key: str, name: str) -> str | None:
    """The storage name of one kept photo, or None when the key or name is not one of ours."""
    return f"{FOLDER}/{key}/{name}" if name in names(key) else None


def kept_file(stored: str):
    """A kept photo as an ImageField's file, for gridgov.core.photos.photo_response."""
    field = CasePhoto.image.field
    return field.attr_class(None, field, stored)


def open_kept(key: str, chosen) -> list[ContentFile]:
    """The chosen kept photos as cleaned files (they were checked and stripped when kept)."""
    kept = []
    for name in [n for n in names(key) if n in set(chosen)]:
        with _storage().open(f"{FOLDER}/{key}/{name}", "rb") as handle:
            photo = ContentFile(handle.read(), name=name[2:])
        photo.gridgov_clean = True
        kept.append(photo)
    return kept


def keep(key: str, chosen, new_photos) -> tuple[str, list[str]]:
    """Keep the chosen photos already kept under `key` and the newly cleaned ones; drop those
    the resident removed. Returns the key (a new one when there was none) and the names."""
    if not valid_key(key):
        key = secrets.token_urlsafe(18)
    storage, kept = _storage(), names(key)
    chosen = set(chosen)
    for name in kept:
        if name not in chosen:
            storage.delete(f"{FOLDER}/{key}/{name}")
    position = len([n for n in kept if n in chosen])
    for photo in new_photos:
        photo.seek(0)
        extension = photo.name.rsplit(".", 1)[-1]
        name = f"{position:02d}{secrets.token_hex(16)}.{extension}"
        storage.save(f"{FOLDER}/{key}/{name}", ContentFile(photo.read()))
        position += 1
    return key, names(key)


def discard(key: str) -> None:
    """Delete every photo kept under `key` (the report was saved with copies of its own)."""
    for name in names(key):
        _storage().delete(f"{FOLDER}/{key}/{name}")
