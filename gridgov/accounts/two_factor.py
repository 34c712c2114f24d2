"""Two factors for town-wide staff (等保2.0 level 3): after the password or SMS code, a code from
an authenticator app (TOTP, RFC 6238, 30-second steps), or one of ten recovery codes.

Who needs it is one rule, `needs_second_factor`; the writes (enrolment, a code accepted) are in
`accounts.actions`. The enrolment QR code is drawn here as SVG: no outside call."""

import hashlib
import hmac

import pyotp
import segno
from django.conf import settings
from django.utils.crypto import get_random_string

from gridgov.accounts.roles import TWO_FACTOR_ROLES
from gridgov.core.scope import ScopeKind, scope_ids

STEP_SECONDS = 30
ISSUER = "gridgov"
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def needs_second_factor(user) -> bool:
    """Superusers, and staff holding a TWO_FACTOR_ROLES role for a whole town, when the
    installation asks for two factors (GRIDGOV_TWO_FACTOR: on outside the demo)."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    return user.is_superuser or ScopeKind.TOWN in scope_ids(user, TWO_FACTOR_ROLES)


def new_secret() -> str:
    return pyotp.random_base32()


def qr_svg(user, secret: str) -> str:
    """The otpauth:// address of the secret as an SVG QR code, for the authenticator app."""
    uri = pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=user.masked_phone, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#111827")


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step (this one or one either side, for clock drift) whose code `code` is."""
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    return ["-".join(get_random_string(5, _RECOVERY_ALPHABET) for _ in range(2))
            for _ in range(RECOVERY_CODES)]


def recovery_hash(code: str) -> str:
    plain = code.strip().lower().replace("-", "").replace(" ", "")
    return hmac.new(settings.SECRET_KEY.encode(), f"recovery:{plain}".encode(),
                    hashlib.sha256).hexdigest()
