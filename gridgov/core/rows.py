"""New rows written as Model.save() writes them, with the statement built once per model.

Every workflow step writes its event and its audit entry, and a creation its object too: for
a resident's report that is three INSERTs, and Django builds each statement anew from the
model's fields on every save (a case has forty columns), which cost more than the database's
own work (docs/benchmarks.md, "Intake"). insert() asks each field for its value exactly as
save() does (pre_save, then get_db_prep_save: defaults, auto_now_add, encryption, JSON), but
keeps the INSERT statement and its column list per model and database, built from the model's
own fields on first use, with what needs no preparing (None for a field that stores it as
NULL, a str for Django's text fields, which store it as it is). It sends pre_save and
post_save when anyone listens, and sets the primary key and the instance's state as save()
does. Anything it does not cover — a model with a save() of its own or with parents
(multi-table inheritance), a value that is a query expression — goes through save() itself.
"""

import operator
from collections.abc import Callable
from typing import NamedTuple

from django.db import connections, models, router
from django.db.models.signals import post_save, pre_save

_plans: dict[tuple[type, str], "_Plan"] = {}

# Django's own text fields keep a str as it is (to_python returns it, nothing else touches it).
PLAIN_TEXT = (models.CharField, models.TextField)


def insert(obj, *, using: str | None = None) -> None:
    """Insert `obj`, a new instance (its primary key unset), as obj.save() would."""
    model = type(obj)
    using = using or router.db_for_write(model, instance=obj)
    meta = model._meta
    connection = connections[using]
    plan = _plan(model, connection)
    if (meta.parents or not obj._state.adding or obj.pk is not None
            or model.save is not models.Model.save  # a save() of its own decides
            or any(hasattr(value, "resolve_expression") for value in plan.current(obj))):
        obj.save(using=using)
        return
    obj._prepare_related_fields_for_save(operation_name="save")
    if pre_save.has_listeners(model):
        pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
    values = []
    for field, stores_none, stores_text in plan.fields:
        value = field.pre_save(obj, add=True)
        if not ((value is None and stores_none) or (stores_text and isinstance(value, str))):
            value = field.get_db_prep_save(value, connection)
        values.append(value)
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, values)
        row = cursor.fetchone()
    for (field, converters), value in zip(plan.returning, row, strict=True):
        for converter in converters:
            value = converter(value, field, connection)
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = using
    if post_save.has_listeners(model):
        post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False,
                       using=using)


class _Plan(NamedTuple):
    sql: str
    # (field, None is stored as NULL, a str is stored as it is): what needs no preparing.
    fields: list[tuple[models.Field, bool, bool]]
    returning: list[tuple[models.Field, list]]
    current: Callable  # the instance's values of `fields`, as a tuple


def _plan(model, connection) -> _Plan:
    key = (model, connection.alias)
    plan = _plans.get(key)
    if plan is None:
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields
                  if f is not meta.auto_field and not getattr(f, "generated", False)]
        # Each returned column read back as the compiler reads it (the backend's converters,
        # then the field's).
        returning = [(f, connection.ops.get_db_converters(f.get_col(meta.db_table))
                      + f.get_db_converters(connection)) for f in meta.db_returning_fields]
        quote = connection.ops.quote_name
        sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # nosec B608  # names from the model, values as parameters
               f"VALUES ({', '.join(['%s'] * len(fields))}) "
               f"RETURNING {', '.join(quote(f.column) for f, _converters in returning)}")
        read = operator.attrgetter(*(f.attname for f in fields))
        plan = _plans[key] = _Plan(
            sql, [(f, _stores_none(f, connection), type(f) in PLAIN_TEXT) for f in fields],
            returning, read if len(fields) > 1 else lambda obj: (read(obj),))
    return plan


def _stores_none(field, connection) -> bool:
    """Whether one of Django's own fields stores None as NULL, asked of the field once rather
    than assumed: a new row's empty columns (a new case's dozen unset times) then cost nothing,
    where each took the field twenty calls to prepare."""
    return (type(field).__module__.startswith("django.db.models.")
            and field.get_db_prep_save(None, connection) is None)
