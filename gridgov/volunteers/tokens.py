"""The check-in and check-out QR code: a signed, expiring token naming one activity and whether it
checks in or out, shown on the organiser's phone (SVG drawn by segno) and scanned by volunteers.
Whoever scans it must hold a sign-up of that activity; the token alone grants nothing."""

import io

import segno
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from gridgov.core.errors import Refusal

SALT = "gridgov.volunteers.attendance"
KINDS = ("in", "out")


def make(activity_id: int, kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(kind)
    return signing.TimestampSigner(salt=SALT).sign_object({"a": activity_id, "k": kind})


def read(token: str, *, kind: str | None = None, activity_id: int | None = None) -> dict:
    """The token's activity and kind; a Refusal when it is forged, expired, of the other kind or
    of another activity."""
    if not token or len(token) > 300:
        raise Refusal("token_invalid", _("二维码无效，请重新扫描组织者出示的二维码"), "token")
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=settings.GRIDGOV_VOLUNTEER_QR_SECONDS)
    except signing.SignatureExpired:
        raise Refusal("token_expired", _("二维码已过期，请扫描组织者手机上刷新后的二维码"),
                      "token") from None
    except (signing.BadSignature, ValueError):
        raise Refusal("token_invalid", _("二维码无效，请重新扫描组织者出示的二维码"), "token") from None
    if not isinstance(payload, dict) or payload.get("k") not in KINDS or not isinstance(
            payload.get("a"), int):
        raise Refusal("token_invalid", _("二维码无效，请重新扫描组织者出示的二维码"), "token")
    if kind is not None and payload["k"] != kind:
        raise Refusal("wrong_kind", _("这是签退二维码") if payload["k"] == "out"
                      else _("这是签到二维码"), "token")
    if activity_id is not None and payload["a"] != activity_id:
        raise Refusal("wrong_activity", _("该二维码属于另一场活动"), "token")
    return {"activity_id": payload["a"], "kind": payload["k"]}


def svg(url: str) -> str:
    """The QR code of `url` as an SVG document (no outside call, no script)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False,
                                    svgns=True, title=None)
    return out.getvalue().decode()
