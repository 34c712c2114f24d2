"""The audit log: record() is called inside the transaction of every write.

Every action name is registered once, beside the code that records it, with what it means, in
the past tense ("cases.case.dispatched", "core.pii.revealed"): record() refuses a name no one
registered, so the log's vocabulary is this registry. Names written before the names took the
past tense stay readable (FORMER_NAMES), but no longer written.
"""

import contextvars
import re
import uuid
from contextlib import contextmanager

from gridgov.core import rows
from gridgov.core.models import AuditEntry

_request = contextvars.ContextVar("gridgov_request", default=(None, None))
_ACTION = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
# Values under these keys never reach the log in clear.
_SECRET_KEYS = {"password", "phone", "id_number", "otp", "token", "secret"}


# name -> what it means, for people reading the log.
ACTIONS: dict[str, str] = {}

# Names the log holds from before the past tense; read, never written again.
FORMER_NAMES = {
    "cases.case.report": "cases.case.reported",
    "cases.catalogue.load": "cases.catalogue.loaded",
    **{f"cases.case.{old}": f"cases.case.{new}" for old, new in (
        ("register", "registered"), ("reject", "rejected"), ("self_handle", "self_handled"),
        ("merge", "merged"), ("dispatch", "dispatched"), ("accept", "accepted"),
        ("return", "returned"), ("request_extension", "extension_requested"),
        ("approve_extension", "extension_approved"), ("refuse_extension", "extension_refused"),
        ("suspend", "suspended"), ("resume", "resumed"), ("urge", "urged"),
        ("escalate", "escalated"), ("report_in", "reported_in"), ("handle", "handled"),
        ("verify", "verified"), ("fail_verification", "verification_failed"),
        ("close", "closed"), ("evaluate", "evaluated"), ("confirm_review", "review_confirmed"),
        ("reopen", "reopened"), ("sample_verify", "sample_verified"), ("overdue", "became_overdue"),
    )},
}


def register(action: str, meaning: str) -> str:
    """Declare an action name and what it means; registering the same name twice with another
    meaning is a mistake in the code."""
    if not _ACTION.match(action):
        raise ValueError(f"audit action must be a dotted lower-case name, not {action!r}")
    known = ACTIONS.setdefault(action, str(meaning))
    if known != str(meaning):
        raise ValueError(f"audit action {action!r} registered twice with different meanings")
    return action


register("core.pii.revealed", "查看完整个人信息")
register("core.pii.reindexed", "个人信息换用新密钥")


def meaning(action: str) -> str:
    """What a logged name means, a former name included ("" for a name never registered)."""
    return ACTIONS.get(FORMER_NAMES.get(action, action), "")


@contextmanager
def request_context(request_id: uuid.UUID | None, ip: str | None):
    token = _request.set((request_id, ip))
    try:
        yield
    finally:
        _request.reset(token)


def _scrub(changes: dict) -> dict:
    clean = {}
    for key, value in changes.items():
        if key in _SECRET_KEYS or key.rsplit("_", 1)[-1] in _SECRET_KEYS or key.endswith("_id_number"):
            clean[key] = "***"
        elif isinstance(value, dict):
            clean[key] = _scrub(value)
        else:
            clean[key] = value
    return clean


def town_of(obj) -> int | None:
    """The town an entry about `obj` belongs to, which its administrators read: the object's
    `audit_town_id` where it defines one (a town itself, a grid post), else its `town_id`."""
    if obj is None:
        return None
    if hasattr(obj, "audit_town_id"):
        return obj.audit_town_id
    return getattr(obj, "town_id", None)


def record(action: str, *, actor, target=None, changes: dict | None = None,
           town: int | None = None) -> AuditEntry:
    """Write one audit entry. `action` is a dotted name such as "cases.case.dispatched";
    `town` (an id) when the target's own town is not the one concerned (a role granted in it)."""
    if action not in ACTIONS:
        raise ValueError(f"audit action {action!r} is not registered (audit.register)")
    if changes is not None and not isinstance(changes, dict):
        raise TypeError("audit changes must be a dict")
    request_id, ip = _request.get()
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    entry = AuditEntry(
        actor=actor_obj,
        actor_label=str(actor_obj) if actor_obj else "",
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_label=str(target)[:200] if target is not None else "",
        changes=_scrub(changes or {}),
        request_id=request_id,
        ip=ip,
        town_id=town if town is not None else town_of(target),
    )
    rows.insert(entry)  # one per step: the statement built once (gridgov.core.rows)
    return entry
