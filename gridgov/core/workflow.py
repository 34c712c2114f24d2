"""One engine for every workflow: a transition table applied under a row lock.

A workflow is a state field, a table of Transition rows and an event log. Each row says from
which states an action leads where, who may run it — roles held in a scope that covers the
object (the app's `standing` callback decides the scope), and relations such as "the reporter
of this object", which are no role anyone is given — which guards the object must pass beyond
its state, and which inputs the action asks for (gridgov.core.inputs).

apply() runs one transition in one transaction: lock the row (SELECT ... FOR UPDATE on
PostgreSQL; on SQLite the IMMEDIATE transaction already holds the write lock), re-check the state,
the actor's right and the guards on the locked row, check the inputs, run the effect, change the
state, write the event and the audit entry, and send `transitioned` after the commit.
create() does the same for a new object (a transition from ""), and system() for what the
periodic run does (a deadline reached), claiming the row by compare-and-set so that two runs at
once act once. allowed_actions() reads the same table, so buttons, the API and the refusal cannot
disagree.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core import audit, rows
from gridgov.core.errors import Refusal
from gridgov.core.inputs import Input, InputError

# Sent after commit with the Workflow itself as sender (receivers subscribe to one workflow),
# and workflow=, obj=, event=, transition=, actor=.
transitioned = Signal()
# Sent inside the transaction, once the event and the audit entry are written, with the same
# arguments: what a receiver writes (outbox notices) commits or rolls back with the move.
event_recorded = Signal()

# The state a created object comes from.
NEW = ""


class WorkflowError(Refusal):
    """A refused transition (code, message, field; status from the code: gridgov.core.errors)."""


@dataclass(frozen=True)
class Relation:
    """A tie between an actor and one object (its reporter, its assignee): a predicate, not a
    role anyone is given."""

    name: str
    holds: Callable = field(compare=False)  # (obj, user) -> bool


# Anyone at all, signed in or not (e.g. reporting a problem).
ANYONE = Relation("anyone", lambda obj, user: True)


@dataclass(frozen=True)
class Guard:
    """What the object (and the actor's tie to it) must satisfy beyond its state. A failing guard
    hides the button and refuses the action with its own code and message."""

    passes: Callable = field(compare=False)  # (obj, user) -> bool
    code: str
    message: str


@dataclass(frozen=True)
class Standing:
    """In what capacity an actor acts: a role held in a unit (department, grid, community,
    town), a relation, or the system. The event log keeps it, so a timeline credits the unit
    that acted."""

    role: str = ""
    unit_kind: str = ""
    unit_id: int | None = None
    unit_label: str = ""


SYSTEM = Standing(role="system")


def past_tense(action: str) -> str:
    """register → registered, verify → verified, return → returned: the event name of an
    action whose last word is its verb (declare `past` on the transition otherwise)."""
    stem, _sep, verb = action.rpartition("_")
    if verb.endswith("e"):
        done = verb + "d"
    elif verb.endswith("y") and verb[-2:-1] not in "aeiou":
        done = verb[:-1] + "ied"
    else:
        done = verb + "ed"
    return f"{stem}_{done}" if stem else done


class EventLog(models.Model):
    """The log of a workflow: one row per move, extended by each app with the foreign key to its
    object (CaseEvent.case). The actor is kept as a link that never cascades plus a label, and
    with the unit they acted for (their department, grid, community or town), so a timeline
    credits who acted, not whoever holds the object now."""

    action = models.CharField(_("操作"), max_length=30)
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(_("操作人"), max_length=100, blank=True)
    actor_role = models.CharField(_("操作身份"), max_length=30, blank=True)
    actor_unit_kind = models.CharField(_("操作单位类型"), max_length=20, blank=True)
    actor_unit_id = models.PositiveBigIntegerField(_("操作单位编号"), null=True, blank=True)
    actor_unit = models.CharField(_("操作单位"), max_length=100, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    @classmethod
    def write(cls, **columns) -> "EventLog":
        """A new row of the log: every step writes one, through gridgov.core.rows (the
        statement built once per model)."""
        event = cls(**columns)
        rows.insert(event)
        return event

    @staticmethod
    def fields_for(*, transition, actor, label: str, standing, from_state, to_state, note, data,
                   at=None) -> dict:
        """The columns every log row has, for the app's record_event to add its own to; `label`
        names the actor as the app shows them (masked, or "查询码持有人")."""
        standing = standing or Standing()
        return {
            "action": transition.action, "from_state": from_state, "to_state": to_state,
            "actor": actor if getattr(actor, "is_authenticated", False) else None,
            "actor_label": label[:100], "actor_role": standing.role,
            "actor_unit_kind": standing.unit_kind, "actor_unit_id": standing.unit_id,
            "actor_unit": standing.unit_label[:100], "note": note, "data": data,
            "at": at or timezone.now(),
        }


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None keeps the current state (e.g. urging, a note)
    roles: frozenset[str]
    label: str
    inputs: tuple[Input, ...] = ()
    relations: tuple[Relation, ...] = ()
    guards: tuple[Guard, ...] = ()
    effect: Callable | None = field(default=None, compare=False)
    # Shown as a secondary button; e.g. reject beside register.
    style: str = "primary"
    past: str = ""  # the event's name in the audit log, e.g. "dispatched"
    # Run by the periodic sweep (gridgov.core.workflow.Workflow.system), never by a person.
    system: bool = False
    # The part of the effect that only reads and checks (placing a point, checking a number),
    # called as the effect is; for a creation it runs before the transaction opens, so that
    # other writers do not wait for it.
    prepare: Callable | None = field(default=None, compare=False)

    @property
    def done(self) -> str:
        return self.past or past_tense(self.action)

    @property
    def requires(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs if i.required)

    def input(self, name: str) -> Input | None:
        return next((i for i in self.inputs if i.name == name), None)


def transition(action, sources, target, roles, label, *, inputs=(), relations=(), guards=(),
               effect=None, style="primary", past="", system=False, prepare=None):
    """A table row: sources and roles may be given as any iterable of names."""
    if isinstance(sources, str):
        sources = (sources,)
    return Transition(action, frozenset(sources), target, frozenset(roles), label, tuple(inputs),
                      tuple(relations), tuple(guards), effect, style, past, system, prepare)


class Workflow:
    def __init__(
        self,
        *,
        name: str,
        model,
        transitions: Iterable[Transition],
        standing: Callable,
        record_event: Callable,
        state_field: str = "state",
        lock_related: tuple[str, ...] = (),
    ):
        """`standing(obj, user, role, transition) -> Standing | None` says whether the user
        holds `role` in a scope that covers obj (None when not); `record_event(obj, *,
        transition, actor, standing, from_state, note, data, inputs)` writes the event row and
        returns it (`inputs`: the checked inputs, e.g. files to attach to it). `lock_related`
        names foreign keys read with the locked row (only the row itself is locked). The audit
        log names each event `<name>.<past tense>`, registered here."""
        self.name = name
        self.model = model
        self.transitions = tuple(transitions)
        self.standing = standing
        self.record_event = record_event
        self.state_field = state_field
        self.lock_related = lock_related
        self.actions = {t.action for t in self.transitions}
        for t in self.transitions:
            audit.register(f"{name}.{t.done}", str(t.label))

    def __repr__(self) -> str:
        return f"<Workflow {self.name}>"

    def _candidates(self, state: str, action: str) -> list[Transition]:
        return [t for t in self.transitions if t.action == action and state in t.sources]

    def standing_of(self, obj, user, t: Transition) -> Standing | None:
        """How `user` may run `t` on obj: a role held in a covering scope first (so the event
        credits their unit), else a relation, else a superuser through any role of the row;
        None when not at all."""
        if t.system:
            return None
        if getattr(user, "is_authenticated", False):
            from gridgov.core.scope import roles_of

            for role in sorted(roles_of(user) & t.roles):
                found = self.standing(obj, user, role, t)
                if found is not None:
                    return found
        for relation in t.relations:
            if relation.holds(obj, user):
                return Standing(role=relation.name)
        if getattr(user, "is_superuser", False) and t.roles:
            return Standing(role="superuser")
        return None

    def _refusal(self, obj, user, t: Transition) -> WorkflowError | None:
        for guard in t.guards:
            if not guard.passes(obj, user):
                return WorkflowError(guard.code, str(guard.message), "action")
        return None

    def allowed_actions(self, obj, user) -> list[Transition]:
        """The transitions `user` may run on obj now: state, right and guards."""
        state = getattr(obj, self.state_field)
        return [
            t for t in self.transitions
            if state in t.sources and self.standing_of(obj, user, t) is not None
            and self._refusal(obj, user, t) is None
        ]

    def _cleaned(self, t: Transition, obj, actor, note: str, data: dict) -> dict:
        """The declared inputs checked and converted; other keyword arguments (set by code, not
        typed by anyone) pass through as they are."""
        values = {**data, "note": note}
        for item in t.inputs:
            try:
                values[item.name] = item.clean(values.get(item.name), obj=obj, actor=actor)
            except InputError as error:
                raise WorkflowError(error.code, error.message, error.field) from None
        return values

    def _finish(self, obj, t: Transition, *, actor, standing, from_state, values, extra):
        if t.target is not None:
            setattr(obj, self.state_field, t.target)
        if from_state == NEW:
            rows.insert(obj)
        else:
            obj.save()
        event = self.record_event(obj, transition=t, actor=actor, standing=standing,
                                  from_state=from_state, note=values.get("note", ""),
                                  data=extra or {}, inputs=values)
        audit.record(f"{self.name}.{t.done}", actor=actor, target=obj,
                     changes={"state": [from_state, getattr(obj, self.state_field)],
                              **(extra or {})})
        event_recorded.send(sender=self, workflow=self, obj=obj, event=event, transition=t,
                            actor=actor)
        transaction.on_commit(lambda: transitioned.send(
            sender=self, workflow=self, obj=obj, event=event, transition=t, actor=actor))
        return event

    def _prepare(self, obj, t: Transition, actor, values: dict) -> None:
        if t.prepare is not None:
            body = {k: v for k, v in values.items() if k != "note"}
            t.prepare(obj, actor=actor, note=values["note"], **body)

    def _run(self, obj, t: Transition, *, actor, standing, from_state, note, data, values=None):
        if values is None:
            values = self._cleaned(t, obj, actor, note, data)
            self._prepare(obj, t, actor, values)
        body = {k: v for k, v in values.items() if k != "note"}
        extra = t.effect(obj, actor=actor, note=values["note"], **body) if t.effect else None
        if from_state == NEW:
            # Where the new object lies decides in which unit its creator acted.
            standing = self.standing_of(obj, actor, t) or standing
        return self._finish(obj, t, actor=actor, standing=standing, from_state=from_state,
                            values=values, extra=extra)

    def create(self, action: str, *, actor, note: str = "", then=None, **data):
        """Create an object through a transition from NEW: the effect fills a fresh instance;
        returns (the saved object, the event). `then(obj)`, the caller's own further writes
        (a count that must stand or fall with the object, a second move), runs inside the
        creation's transaction, so that the caller needs no transaction around this one."""
        t = next((t for t in self._candidates(NEW, action)), None)
        if t is None:
            raise WorkflowError("unknown_action", f"未知的操作：{action}", "action")
        obj = self.model()
        standing = self.standing_of(obj, actor, t)
        if standing is None:
            raise WorkflowError("forbidden", "您没有权限执行该操作", "action")
        # A new object has no stored state to lock and re-read, so its inputs are checked
        # (and its effect prepared) before the transaction: on SQLite the write lock is held
        # from its first statement, and every other writer waits for what runs inside it.
        values = self._cleaned(t, obj, actor, note, data)
        self._prepare(obj, t, actor, values)
        with transaction.atomic():
            event = self._run(obj, t, actor=actor, standing=standing, from_state=NEW, note=note,
                              data=data, values=values)
            if then is not None:
                then(obj)
        return obj, event

    def apply(self, obj, action: str, *, actor, note: str = "", **data):
        """Run `action` on obj; returns (the locked, updated obj, the event). The caller's obj
        is refreshed too, its cached relations included."""
        if action not in self.actions or not any(
                not t.system for t in self.transitions if t.action == action):
            raise WorkflowError("unknown_action", f"未知的操作：{action}", "action")
        with transaction.atomic():
            locked = self._lock(obj.pk)
            state = getattr(locked, self.state_field)
            candidates = [t for t in self._candidates(state, action) if not t.system]
            if not candidates:
                raise WorkflowError(
                    "illegal_transition",
                    f"当前状态“{locked.get_state_display()}”下不能执行此操作",
                    "action",
                )
            permitted = [(t, s) for t in candidates
                         if (s := self.standing_of(locked, actor, t)) is not None]
            if not permitted:
                raise WorkflowError("forbidden", "您没有权限对此执行该操作", "action")
            chosen, standing = permitted[0]
            refused = self._refusal(locked, actor, chosen)
            if refused is not None:
                raise refused
            event = self._run(locked, chosen, actor=actor, standing=standing, from_state=state,
                              note=note, data=data)
        self.refresh(obj, locked)
        return locked, event

    def system(self, pk, action: str, *, claim, mark: dict, **data):
        """A move of the periodic run: claim the row by one compare-and-set UPDATE (`claim` a Q
        of the conditions it must still meet, `mark` what the claim writes), and only if this
        run's UPDATE changed it, write the event and the audit entry. Returns (obj, event), or None
        when another run (or a change of the object) got there first."""
        t = next((t for t in self.transitions if t.action == action and t.system), None)
        if t is None:
            raise WorkflowError("unknown_action", f"未知的操作：{action}", "action")
        with transaction.atomic():
            if self.model.objects.filter(claim, pk=pk).update(**mark) != 1:
                return None
            obj = self.model.objects.select_related(*self.lock_related).get(pk=pk)
            event = self._run(obj, t, actor=None, standing=SYSTEM,
                              from_state=getattr(obj, self.state_field), note="", data=data)
        return obj, event

    def _lock(self, pk):
        return (self.model.objects.select_related(*self.lock_related)
                .select_for_update(of=("self",)).get(pk=pk))

    @staticmethod
    def refresh(obj, saved) -> None:
        """Make the caller's copy of a row equal to the saved one: fields, and related objects
        (a foreign key that changed must not be read from a stale cache)."""
        if obj is saved:
            return
        for f in saved._meta.concrete_fields:
            old = obj.__dict__.get(f.attname)
            new = getattr(saved, f.attname)
            obj.__dict__[f.attname] = new
            if f.is_relation and old != new:
                if f.is_cached(obj):
                    f.delete_cached_value(obj)
                if f.is_cached(saved):
                    f.set_cached_value(obj, f.get_cached_value(saved))
        obj._prefetched_objects_cache = {}
