"""Audit retention: entries kept at least six months, then archived to a file and removed; the
log exported and checked.

Kept: GRIDGOV_AUDIT_KEEP_DAYS (at least 183, checked when the server starts; the database's
DELETE trigger holds the same floor by itself, migration 0008).

Archived: each night (the tick's task core.archive_audit) the entries older than that, from the
oldest id up to the first entry that is younger, are written to a file under
GRIDGOV_AUDIT_ARCHIVE_DIR, one JSON object per line, each carrying `hash` = SHA-256 of the
previous line's hash and the entry's canonical JSON (the first line chains from the previous
archive's last hash), so that a line changed, removed or reordered breaks every hash after it.
The file is synced to disk, then in one transaction an AuditArchive row records its id range,
SHA-256 and last hash, and the entries are deleted: the trigger lets exactly those through.

Exported: `gridgov audit_export` writes a period in the same form, with a last line of totals.
Checked: `gridgov audit_check` recomputes the chains of the archives (and of given export
files) and looks for ids missing between the archives and the database.
"""

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from gridgov.core.models import AuditArchive, AuditEntry

MIN_KEEP_DAYS = 183
GENESIS = "0" * 64
# Entries written per archive file, at most (a night's work stays bounded).
BATCH = 100_000


def keep_days() -> int:
    return settings.GRIDGOV_AUDIT_KEEP_DAYS


def archive_dir() -> Path:
    return Path(settings.GRIDGOV_AUDIT_ARCHIVE_DIR)


def as_record(entry: AuditEntry) -> dict:
    """An entry as the files hold it: every column, in plain JSON values."""
    return {
        "id": entry.pk, "at": entry.at.astimezone(dt.UTC).isoformat(),
        "actor_id": entry.actor_id, "actor_label": entry.actor_label, "action": entry.action,
        "object_type": entry.object_type, "object_id": entry.object_id,
        "object_label": entry.object_label, "changes": entry.changes,
        "request_id": str(entry.request_id) if entry.request_id else None, "ip": entry.ip,
        "town_id": entry.town_id,
    }


def chain(previous: str, record: dict) -> str:
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((previous + canonical).encode()).hexdigest()


@dataclass
class Written:
    path: Path
    entries: int = 0
    first_id: int | None = None
    last_id: int | None = None
    last_hash: str = GENESIS
    sha256: str = ""


def write_entries(entries, path: Path, previous: str = GENESIS, *, totals: dict | None = None) -> Written:
    """Write entries (ordered by id) hash-chained to `path`, synced to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = Written(path, last_hash=previous)
    digest = hashlib.sha256()
    with open(path, "w", encoding="utf-8") as out:
        def line(obj):
            text = json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n"
            digest.update(text.encode())
            out.write(text)

        for entry in entries:
            record = as_record(entry)
            written.last_hash = chain(written.last_hash, record)
            line({**record, "hash": written.last_hash})
            written.entries += 1
            written.first_id = record["id"] if written.first_id is None else written.first_id
            written.last_id = record["id"]
        if totals is not None:
            line({"totals": {**totals, "entries": written.entries, "first_id": written.first_id,
                             "last_id": written.last_id, "last_hash": written.last_hash,
                             "chained_from": previous}})
        out.flush()
        os.fsync(out.fileno())
    written.sha256 = digest.hexdigest()
    return written


def archive_old(now: dt.datetime | None = None) -> str:
    """Archive and remove the entries past the retention period (the nightly task)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=keep_days())
    younger = AuditEntry.objects.filter(at__gte=cutoff).aggregate(first=Min("id"))["first"]
    old = AuditEntry.objects.order_by("id")
    if younger is not None:
        old = old.filter(id__lt=younger)
    last = AuditArchive.objects.order_by("-last_id").first()
    ids = list(old.values_list("id", flat=True)[:BATCH])
    if not ids:
        return "audit entries archived: 0"
    batch = AuditEntry.objects.filter(id__gte=ids[0], id__lte=ids[-1]).order_by("id")
    name = f"audit-{ids[0]:012d}-{ids[-1]:012d}.jsonl"
    written = write_entries(batch.iterator(), archive_dir() / name,
                            last.last_hash if last else GENESIS)
    with transaction.atomic():
        AuditArchive.objects.create(first_id=written.first_id, last_id=written.last_id,
                                    entries=written.entries, file_name=name,
                                    sha256=written.sha256, last_hash=written.last_hash)
        deleted, _ = AuditEntry.objects.filter(id__gte=written.first_id,
                                               id__lte=written.last_id).delete()
    return f"audit entries archived: {deleted} to {name}"


def export(start: dt.datetime, end: dt.datetime, path: Path) -> Written:
    """The entries of [start, end) to `path`, chained from GENESIS, with a line of totals."""
    entries = AuditEntry.objects.filter(at__gte=start, at__lt=end).order_by("id")
    return write_entries(entries.iterator(), path, GENESIS, totals={
        "from": start.isoformat(), "to": end.isoformat(),
        "exported_at": timezone.now().isoformat()})


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)  # a hash or checksum that does not match
    gaps: list[tuple[int, int]] = field(default_factory=list)  # ids missing, first..last
    checked: int = 0


def check_file(path: Path, previous: str | None = None, sha256: str = "",
               findings: Findings | None = None) -> Findings:
    """Recompute a file's chain (from `previous`, or from the chained_from its totals name, or
    GENESIS) and, when given, its SHA-256."""
    findings = findings or Findings()
    if not path.exists():
        findings.problems.append(f"{path}: file missing")
        return findings
    data = path.read_bytes()
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        findings.problems.append(f"{path}: SHA-256 differs from the one recorded")
    lines = [json.loads(text) for text in data.decode().splitlines() if text.strip()]
    totals = lines[-1].get("totals") if lines else None
    records = lines[:-1] if totals else lines
    current = previous or (totals or {}).get("chained_from") or GENESIS
    last_id = None
    for record in records:
        claimed = record.pop("hash", "")
        current = chain(current, record)
        if claimed != current:
            findings.problems.append(f"{path}: entry {record.get('id')} does not match its hash")
            current = claimed  # report each broken line once, not every line after it
        if last_id is not None and record["id"] != last_id + 1:
            findings.gaps.append((last_id + 1, record["id"] - 1))
        last_id = record["id"]
        findings.checked += 1
    if totals and (totals.get("entries") != len(records) or totals.get("last_hash") != current):
        findings.problems.append(f"{path}: totals do not match the entries")
    return findings


def check(files: list[Path] = ()) -> Findings:
    """The archives (each file's checksum and chain, each chained from the one before), the ids
    between them and in the database, and any export files given."""
    findings = Findings()
    previous, expected_id = GENESIS, None
    for archive in AuditArchive.objects.order_by("first_id"):
        check_file(archive_dir() / archive.file_name, previous, archive.sha256, findings)
        if expected_id is not None and archive.first_id != expected_id:
            findings.gaps.append((expected_id, archive.first_id - 1))
        previous, expected_id = archive.last_hash, archive.last_id + 1
    ids = AuditEntry.objects.aggregate(first=Min("id"), last=Max("id"))
    if ids["first"] is not None:
        if expected_id is not None and ids["first"] != expected_id:
            findings.gaps.append((expected_id, ids["first"] - 1))
        last = None
        for pk in AuditEntry.objects.order_by("id").values_list("id", flat=True).iterator():
            if last is not None and pk != last + 1:
                findings.gaps.append((last + 1, pk - 1))
            last = pk
            findings.checked += 1
    for path in files:
        check_file(Path(path), None, "", findings)
    return findings
