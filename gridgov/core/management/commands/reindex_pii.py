"""`gridgov reindex_pii`: after a GRIDGOV_PII_KEY rotation, re-encrypt personal data under the new
first key and recompute the blind indexes, which use the first key only.

Until it has run, a row saved before the rotation still decrypts (every listed key decrypts) but is
not found by its phone or ID number. The models are found by their fields (every
pii.EncryptedTextField, with its blind index "<field>_index" when the model has one), so a field
added later is covered without touching this command.

A city holds millions of rows: each model is walked in primary-key order, one chunk at a time
(--batch-size rows), each chunk read, locked and written back (bulk_update) in its own short
transaction, so memory stays constant and the site keeps working meanwhile. Rows already under the
first key with a current index are left untouched: running again writes nothing, and a run that was
stopped is simply started again (or resumed with --model and --after, from the last progress line).

A blind index that matches the value under none of the configured keys (a normalisation that
differs from the model's own) is left as it is rather than replaced by a guess, and the row is
counted; so is a value that no configured key decrypts. Either makes the command fail at the end:
keep the old key in the list until it is explained. One audit entry records the run (counts and
field names, never the data).
"""

import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import ExpressionWrapper, F

from gridgov.core import audit, pii

PROGRESS_SECONDS = 10


def encrypted_models(labels=()) -> list[tuple[type[models.Model], list[tuple]]]:
    """[(model, [(encrypted field, its blind-index field or None), ...])] for every model that
    stores personal data encrypted, or only those named ("accounts.user")."""
    wanted = {label.lower() for label in labels}
    found = []
    for model in apps.get_models():
        if model._meta.proxy or (wanted and model._meta.label_lower not in wanted):
            continue
        pairs = [(field, _index_field(model, field)) for field in model._meta.local_concrete_fields
                 if isinstance(field, pii.EncryptedTextField)]
        if pairs:
            found.append((model, pairs))
    unknown = wanted - {model._meta.label_lower for model, _ in found}
    if unknown:
        raise CommandError(f"no encrypted personal data in: {', '.join(sorted(unknown))}")
    return found


def _index_field(model, field):
    try:
        index = model._meta.get_field(field.name + pii.BLIND_INDEX_SUFFIX)
    except Exception:  # FieldDoesNotExist: this field is not searched by value
        return None
    return index if index.concrete else None


class Command(BaseCommand):
    help = ("Re-encrypt personal data under the first GRIDGOV_PII_KEY and recompute the blind "
            "indexes (run after putting a new key first); safe to stop and run again.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000,
                            help="rows read and written per transaction (default 1000)")
        parser.add_argument("--model", action="append", default=[], metavar="APP.MODEL",
                            help="only this model (repeatable), e.g. accounts.user")
        parser.add_argument("--after", type=int, default=None, metavar="PK",
                            help="with one --model: resume after this primary key")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, batch_size, model, after, database, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if after is not None and len(model) != 1:
            raise CommandError("--after needs exactly one --model")
        targets = encrypted_models(model)
        counts: dict[str, dict] = {}
        completed = False
        try:
            for target, pairs in targets:
                counts[target._meta.label_lower] = self._reindex(
                    target, pairs, batch_size=batch_size, after=after, database=database)
            completed = True
        finally:
            # The run is on record even when it was stopped half way (and says so).
            audit.record("core.pii.reindexed", actor=None, changes={
                "keys": len([key for key in settings.PII_KEY.split(",") if key.strip()]),
                "completed": completed,
                "after": after,
                "models": counts,
            })
        left = sum(c["undecryptable"] + c["unrecognised_index"] for c in counts.values())
        if left:
            raise CommandError(
                f"{left} rows were left as they were (see above); keep the old keys in "
                "GRIDGOV_PII_KEY until they are explained")

    def _reindex(self, model, pairs, *, batch_size, after, database) -> dict:
        label = model._meta.label_lower
        counts = {"fields": [field.name for field, _ in pairs], "rows": 0, "updated": 0,
                  "undecryptable": 0, "unrecognised_index": 0}
        # The stored tokens as they are: a plain text column, not the decrypting field.
        raw = {f"raw_{field.attname}": ExpressionWrapper(F(field.attname),
                                                         output_field=models.TextField())
               for field, _ in pairs}
        indexes = [index.attname for _, index in pairs if index is not None]
        written = [field.attname for field, _ in pairs] + indexes
        rows = (model._base_manager.db_manager(database).annotate(**raw)
                .values_list("pk", *raw, *indexes).order_by("pk"))
        last_pk, last_report = after, time.monotonic()
        self.stdout.write(f"{label}: {', '.join(counts['fields'])}")
        while True:
            with transaction.atomic(using=database):
                chunk_rows = rows.select_for_update()
                if last_pk is not None:
                    chunk_rows = chunk_rows.filter(pk__gt=last_pk)
                chunk = list(chunk_rows[:batch_size])
                if not chunk:
                    break
                stale = [obj for row in chunk
                         if (obj := self._refreshed(model, pairs, row, counts)) is not None]
                if stale:
                    model._base_manager.db_manager(database).bulk_update(stale, written)
            counts["rows"] += len(chunk)
            counts["updated"] += len(stale)
            last_pk = chunk[-1][0]
            if time.monotonic() - last_report >= PROGRESS_SECONDS:
                last_report = time.monotonic()
                self._progress(label, counts, last_pk)
        self._progress(label, counts, last_pk, done=True)
        return counts

    def _refreshed(self, model, pairs, row, counts):
        """The row to write back (clear values the field encrypts again, fresh indexes), or None
        when it is already current or must be left alone."""
        pk, tokens, stored_indexes = row[0], row[1:1 + len(pairs)], iter(row[1 + len(pairs):])
        obj = model(pk=pk)
        stale = False
        for (field, index), token in zip(pairs, tokens):
            clear, current = "", True
            if token:
                try:
                    clear, current = pii.decrypt_noting_key(token)
                except ValueError:
                    counts["undecryptable"] += 1
                    return None
            setattr(obj, field.attname, clear)
            stale = stale or not current
            if index is None:
                continue
            stored = next(stored_indexes)
            value = pii.normalizer_for(field.name)(clear)
            fresh = pii.blind_index(value)
            if stored != fresh:
                if stored and stored not in pii.blind_indexes_under_every_key(value):
                    counts["unrecognised_index"] += 1
                    return None
                stale = True
            setattr(obj, index.attname, fresh)
        return obj if stale else None

    def _progress(self, label, counts, last_pk, done=False):
        problems = ""
        if counts["undecryptable"] or counts["unrecognised_index"]:
            problems = (f", left as they were: {counts['undecryptable']} undecryptable, "
                        f"{counts['unrecognised_index']} with an index under no configured key")
        where = "done" if done else f"up to pk {last_pk}"
        self.stdout.write(f"  {label}: {counts['rows']} rows read, {counts['updated']} rewritten"
                          f"{problems} ({where})")
