"""What a workflow action asks for, declared once: name, kind, bounds, required, label, choices.

The engine checks the values with Input.clean() before the action runs; the page's form field
(Input.form_field) and the API's schema (schema_for) are derived from the same declaration, so
their limits cannot drift from the rule.
"""

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.core.errors import Refusal

# Control characters but tab, line feed and carriage return (which a description may hold).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InputError(Refusal):
    """A value an input refuses; the engine turns it into a WorkflowError."""


# text, a whole number, a number, one of `choices`, yes/no, one row of `queryset` (by `lookup`),
# several rows of `queryset`, uploaded files.
KINDS = ("text", "int", "float", "choice", "bool", "ref", "refs", "files")
EMPTY = (None, "", [], ())


@dataclass(frozen=True)
class Input:
    name: str
    kind: str
    label: str
    required: bool = False
    min: float | None = None  # characters for text, the value for numbers
    max: float | None = None
    choices: tuple = ()  # (value, label) pairs for "choice"
    # For "ref"/"refs": the rows one may choose, given the object (None when creating) and the
    # actor; `lookup` is the column a value names a row by ("pk", or e.g. "number").
    queryset: Callable | None = field(default=None, compare=False)
    lookup: str = "pk"
    # Or, for rows that do not depend on the object or the actor (a catalogue), a snapshot of
    # them kept in the process (gridgov.core.snapshots): checked without a query.
    snapshot: object = field(default=None, compare=False)
    invalid: str = ""  # the message for a value outside the choices or bounds
    code: str = ""  # the refusal's code for such a value (e.g. "bad_category")
    default: object = None  # what an optional input left empty means
    help: str = ""
    # For "files": the form field class that checks the uploads (the app's photo field).
    form_class: Callable | None = field(default=None, compare=False)
    widget: object = field(default=None, compare=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown input kind {self.kind!r}")

    def required_as(self, required: bool) -> "Input":
        """The same input, required or optional (a transition may need what another offers)."""
        from dataclasses import replace

        return replace(self, required=required)

    # ----- checking ----------------------------------------------------------------------

    def _refuse(self, code: str, message=None):
        if code != "required" and self.code:
            code = self.code
        raise InputError(code, str(message or self.invalid or _("%(label)s不正确") % {
            "label": self.label}), self.name)

    def _bounds_message(self):
        if self.kind == "text":
            if self.min and self.max:
                return _("%(label)s应为%(min)d到%(max)d个字") % {
                    "label": self.label, "min": self.min, "max": self.max}
            return _("%(label)s最多%(max)d个字") % {"label": self.label, "max": self.max}
        return _("%(label)s应在%(min)s到%(max)s之间") % {
            "label": self.label, "min": _number(self.min), "max": _number(self.max)}

    def clean(self, value, *, obj=None, actor=None):
        """The value as the action uses it; InputError when it is missing or out of bounds."""
        if self.kind == "text" and isinstance(value, str):
            value = value.strip()
        if self.kind == "bool":
            return bool(value)
        if value in EMPTY:
            if self.required:
                self._refuse("required", _("请填写%(label)s") % {"label": self.label})
            if self.default is not None:
                return self.default
            return [] if self.kind in ("refs", "files") else ("" if self.kind == "text" else None)
        if self.kind == "text":
            value = str(value)
            if CONTROL.search(value):  # a NUL or other control character is never stored
                self._refuse("control_characters", _("%(label)s含有不允许的控制字符") % {
                    "label": self.label})
            if (self.min and len(value) < self.min) or (self.max and len(value) > self.max):
                self._refuse("too_short" if self.min and len(value) < self.min else "too_long",
                             self.invalid or self._bounds_message())
        elif self.kind in ("int", "float"):
            try:
                value = int(value) if self.kind == "int" else float(value)
            except (TypeError, ValueError):
                self._refuse("invalid")
            if (not math.isfinite(value) or (self.min is not None and value < self.min)
                    or (self.max is not None and value > self.max)):
                self._refuse("out_of_range", self.invalid or self._bounds_message())
        elif self.kind == "choice":
            if value not in {str(v) for v, _label in self.choices}:
                self._refuse("invalid_choice")
            value = str(value)
        elif self.kind in ("ref", "refs"):
            values = value if isinstance(value, (list, tuple, set)) else [value]
            try:
                wanted = list(dict.fromkeys(_key(v, self.lookup) for v in values))
            except (TypeError, ValueError):
                self._refuse("invalid_choice")
            found = self._rows_named(wanted, obj, actor)
            if any(key not in found for key in wanted) or (self.kind == "ref" and len(wanted) > 1):
                self._refuse("invalid_choice")
            value = found[wanted[0]] if self.kind == "ref" else [found[key] for key in wanted]
        return value

    def _rows_named(self, keys: list, obj, actor) -> dict:
        if self.snapshot is not None and self.lookup == "pk":
            rows = (self.snapshot.get(key) for key in keys)
            return {row.pk: row for row in rows if row is not None}
        rows = self.choosable(obj, actor).filter(**{f"{self.lookup}__in": keys})
        return {_key(row, self.lookup): row for row in rows}

    def choosable(self, obj=None, actor=None):
        """The rows a "ref"/"refs" input offers, as a query."""
        if self.queryset is None:
            return self.snapshot.queryset()
        return self.queryset(obj, actor)

    # ----- derived forms and schemas -----------------------------------------------------

    def form_field(self, *, obj=None, actor=None, **overrides) -> forms.Field:
        """The Django form field asking this input, with its bounds and messages."""
        options = {"label": self.label, "required": self.required, "help_text": self.help,
                   "error_messages": {"required": _("请填写%(label)s") % {"label": self.label}}}
        if self.widget is not None:
            options["widget"] = self.widget
        options.update(overrides)
        messages = options["error_messages"]
        if self.kind == "text":
            messages.update({"min_length": self.invalid or self._bounds_message(),
                             "max_length": self.invalid or self._bounds_message()})
            return forms.CharField(min_length=self.min, max_length=self.max, **options)
        if self.kind in ("int", "float"):
            bound = self.invalid or self._bounds_message()
            messages.update({"min_value": bound, "max_value": bound,
                             "invalid": _("请填写数字")})
            cls = forms.IntegerField if self.kind == "int" else forms.FloatField
            return cls(min_value=self.min, max_value=self.max, **options)
        if self.kind == "choice":
            messages["invalid_choice"] = self.invalid or _("请选择有效的%(label)s") % {
                "label": self.label}
            options.setdefault("choices", self.choices)
            return forms.ChoiceField(**options)
        if self.kind == "bool":
            return forms.BooleanField(**options)
        if self.kind == "ref" and self.lookup != "pk":
            # Named by a code people read (a case number): typed, then looked up by clean().
            return forms.CharField(max_length=int(self.max or 50), **options)
        if self.kind in ("ref", "refs"):
            messages["invalid_choice"] = self.invalid or _("请选择有效的%(label)s") % {
                "label": self.label}
            cls = OfferedRow if self.kind == "ref" else OfferedRows
            options.setdefault("queryset", self.choosable(obj, actor))
            return cls(**options)
        return (self.form_class or forms.FileField)(**options)

    def schema_type(self):
        """(type, pydantic Field) for an API schema; files travel beside the schema. The bounds
        are documented in the schema but checked by clean(), so that the API refuses an
        out-of-bounds value as the page does: 400, with the declaration's Chinese message."""
        from ninja import Field

        documented = {"description": f"{self.label}{'：' + str(self.help) if self.help else ''}"}
        bounds = {}
        if self.kind == "text":
            bounds = {"minLength": self.min, "maxLength": self.max}
        elif self.kind in ("int", "float"):
            bounds = {"minimum": self.min, "maximum": self.max}
        extra = {key: value for key, value in bounds.items() if value is not None}
        if extra:
            documented["json_schema_extra"] = extra
        if self.kind == "text":
            return str, Field("", **documented)
        if self.kind in ("int", "float"):
            return (int if self.kind == "int" else float) | None, Field(None, **documented)
        if self.kind == "choice":
            from typing import Literal

            return Literal[tuple(str(v) for v, _label in self.choices)] | None, Field(
                self.default, **documented)
        if self.kind == "bool":
            return bool, Field(False, **documented)
        if self.kind == "ref":
            return (int if self.lookup == "pk" else str) | None, Field(None, **documented)
        if self.kind == "refs":
            return list[int] | None, Field(None, **documented)
        raise ValueError("files are not part of a schema")


class OfferedRow(forms.ModelChoiceField):
    """Offers the rows of an input's queryset and hands on the chosen key as typed: whether the
    row may be chosen is Input.clean()'s question, asked by the engine in one query, so a page
    neither asks it a second time nor answers it differently."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid_choice"],
                                        code="invalid_choice") from None

    def validate(self, value):
        forms.Field.validate(self, value)


class OfferedRows(forms.ModelMultipleChoiceField):
    """OfferedRow for several rows: the keys as typed, checked by Input.clean()."""

    def clean(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if not value:
            return []
        if not isinstance(value, (list, tuple)):
            raise forms.ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        return [OfferedRow.to_python(self, item) for item in value]


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _key(value, lookup: str):
    """How a row or a raw value is compared: primary keys as ints, codes as upper-case text."""
    if hasattr(value, "_meta"):
        value = getattr(value, lookup)
    if lookup == "pk":
        return int(value)
    return str(value).strip().upper()


def schema_for(name: str, inputs: Iterable[Input], base=None):
    """A django-ninja Schema with one optional field per input (files excepted). An input named
    twice must be declared the same way, or the schema would have to choose."""
    from ninja import Schema
    from pydantic import create_model

    fields, seen = {}, {}
    for item in inputs:
        if item.kind == "files":
            continue
        known = seen.get(item.name)
        if known is not None and known.required_as(False) != item.required_as(False):
            raise ValueError(f"input {item.name!r} is declared twice, differently")
        seen[item.name] = item
        fields[item.name] = item.schema_type()
    return create_model(name, __base__=base or Schema, **fields)
