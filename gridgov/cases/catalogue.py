"""The default component/event catalogue (GB/T 30428 codes; 12345 time limits), shipped in
data/catalogue.json and loaded by `gridgov load_catalogue` (the demo loader calls it too).

Loading is idempotent and respects the town's own edits: a 小类 already present (same kind and
codes) is left as the town made it, unless reset=True puts the shipped values back.
"""

import json
from pathlib import Path

from django.db import transaction

from gridgov.core import audit
from gridgov.core.snapshots import Snapshot

from .models import Category

audit.register("cases.catalogue.loaded", "载入事部件分类目录")

# The categories a report may name, kept in each process (a report checks its category without
# a query; a change reaches every process within the snapshot's seconds).
ACTIVE = Snapshot(Category, lambda: Category.objects.filter(is_active=True))

DATA_FILE = Path(__file__).resolve().parent / "data" / "catalogue.json"
FIELDS = ("major_name", "name", "plain_name", "keywords", "department_kind", "time_limit_class",
          "time_limit_days", "time_limit_hours", "urgency", "emergency_notice")


def entries(path: Path = DATA_FILE) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def load(*, reset: bool = False, actor=None, path: Path = DATA_FILE) -> dict[str, int]:
    """Create the missing 小类 (and with reset, restore the shipped values of the others)."""
    existing = {(c.kind, c.major_code, c.minor_code): c for c in Category.objects.all()}
    created, restored = [], []
    for entry in entries(path):
        key = (entry["kind"], entry["major_code"], entry["minor_code"])
        values = {field: entry.get(field) for field in FIELDS}
        values["keywords"] = values["keywords"] or ""
        values["emergency_notice"] = values["emergency_notice"] or ""
        category = existing.get(key)
        if category is None:
            created.append(Category(kind=key[0], major_code=key[1], minor_code=key[2], **values))
        elif reset and any(getattr(category, f) != v for f, v in values.items()):
            for field, value in values.items():
                setattr(category, field, value)
            restored.append(category)
    Category.objects.bulk_create(created)
    Category.objects.bulk_update(restored, FIELDS)
    transaction.on_commit(ACTIVE.clear)  # bulk writes send no signal
    if created or restored:
        audit.record("cases.catalogue.loaded", actor=actor,
                     changes={"created": len(created), "restored": len(restored)})
    return {"created": len(created), "restored": len(restored)}
