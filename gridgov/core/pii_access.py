"""Who looked at one person's personal data: for an access request under the PIPL (个人信息保护法
第四十五条), every audited reveal (core.pii.revealed) of a record holding that person's phone
number: their account, a case they reported, a grid post. The record is found by loading each
revealed row once and comparing its encrypted fields with the number, so no app has to register
anything; archived entries (core.audit_retention) are read from their files too.
"""

import json
from dataclasses import dataclass

from django.apps import apps

from gridgov.core import pii
from gridgov.core.audit import FORMER_NAMES
from gridgov.core.models import AuditArchive, AuditEntry

REVEALED = ("core.pii.revealed", *(old for old, new in FORMER_NAMES.items()
                                   if new == "core.pii.revealed"))


@dataclass(frozen=True)
class Access:
    at: str
    actor: str
    field: str
    object_type: str
    object_id: str
    object_label: str
    ip: str
    town_id: int | None


def _holds(obj, phone: str) -> bool:
    for model_field in obj._meta.concrete_fields:
        if isinstance(model_field, pii.EncryptedTextField):
            value = getattr(obj, model_field.attname) or ""
            if value and pii.normalize_phone(value) == phone:
                return True
    return False


def _records(towns: set[int] | None):
    entries = AuditEntry.objects.filter(action__in=REVEALED).order_by("id")
    if towns is not None:
        entries = entries.filter(town_id__in=towns)
    from gridgov.core.audit_retention import archive_dir

    for archive in AuditArchive.objects.order_by("first_id"):
        path = archive_dir() / archive.file_name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("action") in REVEALED and (towns is None or record.get("town_id") in towns):
                yield record
    for entry in entries.iterator():
        yield {"at": entry.at.isoformat(), "actor_label": entry.actor_label,
               "changes": entry.changes, "object_type": entry.object_type,
               "object_id": entry.object_id, "object_label": entry.object_label,
               "ip": entry.ip, "town_id": entry.town_id}


def accesses(phone: str, *, towns: set[int] | None = None) -> list[Access]:
    """Every reveal of a record holding `phone`, oldest first; only entries of `towns` when
    given (a town's administrator answers for their town)."""
    phone = pii.normalize_phone(phone)
    found: list[Access] = []
    holds: dict[tuple[str, str], bool] = {}
    for record in _records(towns):
        key = (record["object_type"], record["object_id"])
        if key not in holds:
            holds[key] = False
            try:
                model = apps.get_model(record["object_type"])
                obj = model._base_manager.filter(pk=record["object_id"]).first()
            except (LookupError, ValueError):
                obj = None
            holds[key] = obj is not None and _holds(obj, phone)
        if holds[key]:
            found.append(Access(record["at"], record["actor_label"],
                                (record.get("changes") or {}).get("field", ""),
                                record["object_type"], record["object_id"],
                                record["object_label"], record.get("ip") or "",
                                record.get("town_id")))
    return found
