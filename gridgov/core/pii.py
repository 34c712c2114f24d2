"""Personal data: encrypted at rest, found by a blind index, shown masked.

Phone and ID numbers are stored with Fernet (AES + HMAC) under keys derived from
settings.PII_KEY; several comma-separated keys allow rotation (the first encrypts, all decrypt).
Equality search goes through an HMAC of the normalised value (the blind index), so the database
never sees a number in clear. After a new key is put first, `gridgov reindex_pii` re-encrypts
every row under it and recomputes the blind indexes (they use the first key only). Masked
display is the default everywhere; reveal() gives the clear value to a role that needs it and
writes an audit entry for that view.
"""

import base64
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models


def _derive(secret: str, purpose: bytes) -> bytes:
    return hmac.new(secret.encode(), purpose, hashlib.sha256).digest()


def _keys(key_setting: str) -> list[str]:
    return [k.strip() for k in key_setting.split(",") if k.strip()]


def _fernet_for(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(key, b"gridgov-pii-encryption")))


@lru_cache(maxsize=4)
def _fernet(key_setting: str) -> MultiFernet:
    return MultiFernet([_fernet_for(k) for k in _keys(key_setting)])


@lru_cache(maxsize=4)
def _current_fernet(key_setting: str) -> Fernet:
    return _fernet_for(_keys(key_setting)[0])


def encrypt(value: str) -> str:
    return _fernet(settings.PII_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.PII_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("personal data cannot be decrypted with the configured GRIDGOV_PII_KEY")


def decrypt_noting_key(token: str) -> tuple[str, bool]:
    """The clear value of a stored token, and whether the current (first) key encrypted it; a
    False asks for the token to be written again (reindex_pii)."""
    try:
        return _current_fernet(settings.PII_KEY).decrypt(token.encode()).decode(), True
    except InvalidToken:
        return decrypt(token), False


def normalize_phone(value: str) -> str:
    digits = re.sub(r"[\s\-()]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def normalize_id_number(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


@lru_cache(maxsize=8)
def _index_key(key: str) -> bytes:
    return _derive(key, b"gridgov-pii-blind-index")


def _blind_index_under(key: str, value: str) -> str:
    return hmac.new(_index_key(key), value.encode(), hashlib.sha256).hexdigest()


def blind_index(value: str) -> str:
    """The HMAC by which an exact value is found without storing it in clear."""
    if not value:
        return ""
    return _blind_index_under(_keys(settings.PII_KEY)[0], value)


def index_person(person) -> None:
    """Fill in a person's blind indexes (phone_index, id_number_index) from the phone and ID
    numbers kept encrypted, normalised as they are looked up: a resident, a volunteer."""
    person.phone_index = blind_index(normalize_phone(person.phone))
    person.id_number_index = blind_index(normalize_id_number(person.id_number))


def blind_indexes_under_every_key(value: str) -> set[str]:
    """The blind index the value had under each configured key, current or older: what a row
    saved before a rotation may still hold."""
    if not value:
        return {""}
    return {_blind_index_under(key, value) for key in _keys(settings.PII_KEY)}


# An encrypted field searched by exact value keeps its blind index beside it, in the field named
# "<field>_index" (User.phone_index, User.id_number_index), computed from the value normalised as
# its kind (the end of the field's name). reindex_pii finds the pairs by this rule.
BLIND_INDEX_SUFFIX = "_index"
_NORMALIZERS = {"phone": normalize_phone, "id_number": normalize_id_number}


def normalizer_for(field_name: str):
    """How the blind index of this encrypted field normalises the value before hashing."""
    for kind, normalize in _NORMALIZERS.items():
        if field_name == kind or field_name.endswith("_" + kind):
            return normalize
    return lambda value: value


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; empty stays empty so that "not given" is visible.

    Its blind index, when it is searched by exact value, is the field "<name>_index" beside it
    (see BLIND_INDEX_SUFFIX)."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)


PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def is_valid_mobile(value: str) -> bool:
    return bool(PHONE_RE.match(normalize_phone(value)))


def is_valid_contact_phone(value: str) -> bool:
    """A number a person can be called back on: a mobile or a landline with its area code."""
    return is_valid_mobile(value) or bool(LANDLINE_RE.match(normalize_phone(value)))


def is_valid_id_number(value: str) -> bool:
    """GB 11643 resident ID: 17 digits and an ISO 7064 MOD 11-2 check character."""
    value = normalize_id_number(value)
    if not re.match(r"^\d{17}[\dX]$", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == value[17]


def mask_phone(value: str) -> str:
    value = normalize_phone(value)
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


# A tracking code (a case's, and any part's that gives one to a person without an account) is
# the key to a page and its photos: 10 characters without 0/O/1/I, read out over the phone.
TRACKING_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_TRACKING_CODE_IN_TEXT = re.compile(
    rf"(?<![0-9A-Za-z])[{TRACKING_CODE_ALPHABET}]{{10}}(?![0-9A-Za-z])")


def mask_tracking_code(code: str) -> str:
    """Outside its own page a tracking code shows its first two characters only."""
    return code[:2] + "*" * (len(code) - 2) if code else code


def mask_tracking_codes(text: str) -> str:
    """`text` with every tracking code in it masked (for logs)."""
    return _TRACKING_CODE_IN_TEXT.sub(lambda m: mask_tracking_code(m.group()), text)


def mask_id_number(value: str) -> str:
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_name(value: str) -> str:
    if not value:
        return value
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_address(value: str) -> str:
    """Keep the road or compound, hide the house, building and room numbers."""
    if not value:
        return value
    return re.sub(r"\d+(号|弄|栋|幢|楼|室|单元|层)", r"*\1", value)


# Free text (a description, a reply) typed by people carries numbers in every shape: with
# separators, spaces, full-width digits (\d and \s match them too), +86. One pattern each, joined.
_SEP = r"[\s\-－–—.·]*"
_FREE_TEXT_PATTERNS = (
    # Resident ID: 6 + 8 + 3 digits and a check character, grouped or not.
    rf"(?<![\dA-Za-z])\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}[\dXxＸｘ](?![\dA-Za-z])",
    # Mobile, with or without +86 / 0086, separators anywhere between the digits.
    rf"(?<!\d)(?:(?:[+＋]|00)?86{_SEP})?1[3-9](?:{_SEP}\d){{9}}(?!\d)",
    # Landline with its area code: 021-62345678, (021) 6234 5678, 0571－8888 6666.
    rf"(?<!\d)(?:[(（]0\d{{2,3}}[)）]|0\d{{2,3}}){_SEP}\d{{3,4}}{_SEP}\d{{4}}(?!\d)",
    # Anything else of seven digits or more in a row (bank cards, numbers without a shape).
    r"(?<!\d)\d{7,}(?!\d)",
)
# A licence plate: 沪A12345, 沪A·D12345 (new energy); masked where the town chooses.
_PLATE_PATTERN = (r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
                  r"[A-HJ-NP-Z][\s·•]?[A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警]")
_FREE_TEXT = re.compile("|".join(_FREE_TEXT_PATTERNS))
_FREE_TEXT_AND_PLATES = re.compile("|".join((*_FREE_TEXT_PATTERNS, _PLATE_PATTERN)))
FREE_TEXT_MASK = "***"


def mask_free_text(text: str, *, plates: bool | None = None) -> str:
    """Text typed by a person, fit for a public output: phone and ID numbers (and licence plates
    where settings.PII_MASK_PLATES or `plates` asks) replaced by ***."""
    if not text:
        return text
    if plates is None:
        plates = settings.PII_MASK_PLATES
    return (_FREE_TEXT_AND_PLATES if plates else _FREE_TEXT).sub(FREE_TEXT_MASK, text)


def reveal(obj, field: str, *, actor, may_reveal) -> str:
    """The clear value of obj.field for an actor who may see it, with the view audited.

    `may_reveal(actor, obj)` is the owning app's rule for who needs this person's data."""
    from gridgov.core import audit

    if not may_reveal(actor, obj):
        raise PermissionDenied("无权查看完整个人信息")
    value = getattr(obj, field)
    audit.record(
        "core.pii.revealed",
        actor=actor,
        target=obj,
        changes={"field": field},
    )
    return value
