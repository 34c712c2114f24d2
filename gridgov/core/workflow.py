"""One engine for every workflow: a transition table applied under a row lock.

A workflow is a state field, a table of Transition rows and an event log. apply() runs one
transition in one transaction: lock the row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the
IMMEDIATE transaction already holds the write lock), re-check the state and the actor's right on
the locked row, run the transition's effect, change the state, write the event and the audit
entry, and leave side effects to after the commit. allowed_actions() reads the same table, so
buttons, the API and the guard cannot disagree.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import Signal

from gridgov.core import audit
from gridgov.core.errors import Refusal

# Sent after commit with sender=Workflow, obj=, event=, transition=, actor=.
transitioned = Signal()


class WorkflowError(Refusal):
    """A refused transition (code, message, field; status from the code: gridgov.core.errors)."""


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None keeps the current state (e.g. urging, a note)
    roles: frozenset[str]
    label: str
    requires: tuple[str, ...] = ()
    effect: Callable | None = field(default=None, compare=False)
    # Shown as a secondary button; e.g. reject beside register.
    style: str = "primary"


def transition(action, sources, target, roles, label, requires=(), effect=None, style="primary"):
    """A table row: sources and roles may be given as any iterable of names."""
    if isinstance(sources, str):
        sources = (sources,)
    return Transition(
        action, frozenset(sources), target, frozenset(roles), label, tuple(requires), effect, style
    )


class Workflow:
    def __init__(
        self,
        *,
        name: str,
        model,
        transitions: Iterable[Transition],
        may_act: Callable,
        record_event: Callable,
        state_field: str = "state",
        lock_related: tuple[str, ...] = (),
    ):
        """`may_act(obj, user, transition) -> bool` checks scope and any per-object rule beyond
        the role list; `record_event(obj, *, transition, actor, from_state, note, data)` writes
        the event row and returns it. `lock_related` names foreign keys read with the locked row
        (only the row itself is locked)."""
        self.name = name
        self.model = model
        self.transitions = tuple(transitions)
        self.may_act = may_act
        self.record_event = record_event
        self.state_field = state_field
        self.lock_related = lock_related
        self.actions = {t.action for t in self.transitions}

    def _candidates(self, state: str, action: str) -> list[Transition]:
        return [t for t in self.transitions if t.action == action and state in t.sources]

    def _permitted(self, obj, user, t: Transition) -> bool:
        from gridgov.core.scope import roles_of

        if not getattr(user, "is_authenticated", False):
            return False
        return bool(roles_of(user) & t.roles or user.is_superuser) and self.may_act(obj, user, t)

    def allowed_actions(self, obj, user) -> list[Transition]:
        state = getattr(obj, self.state_field)
        return [
            t for t in self.transitions if state in t.sources and self._permitted(obj, user, t)
        ]

    def apply(self, obj, action: str, *, actor, note: str = "", **data):
        """Run `action` on obj; returns (the locked, updated obj, the event)."""
        if action not in self.actions:
            raise WorkflowError("unknown_action", f"未知的操作：{action}", "action")
        with transaction.atomic():
            locked = (
                self.model.objects.select_related(*self.lock_related)
                .select_for_update(of=("self",))
                .get(pk=obj.pk)
            )
            state = getattr(locked, self.state_field)
            candidates = self._candidates(state, action)
            if not candidates:
                raise WorkflowError(
                    "illegal_transition",
                    f"当前状态“{locked.get_state_display()}”下不能执行此操作",
                    "action",
                )
            permitted = [t for t in candidates if self._permitted(locked, actor, t)]
            if not permitted:
                raise WorkflowError("forbidden", "您没有权限对此执行该操作", "action")
            chosen = permitted[0]
            for name in chosen.requires:
                value = note if name == "note" else data.get(name)
                if value in (None, "", [], ()):
                    raise WorkflowError("required", "请填写此项", name)
            extra = chosen.effect(locked, actor=actor, note=note, **data) if chosen.effect else None
            if chosen.target is not None:
                setattr(locked, self.state_field, chosen.target)
            locked.save()
            event = self.record_event(
                locked,
                transition=chosen,
                actor=actor,
                from_state=state,
                note=note,
                data=extra or {},
            )
            audit.record(
                f"{self.name}.{action}",
                actor=actor,
                target=locked,
                changes={"state": [state, getattr(locked, self.state_field)], **(extra or {})},
            )
            transaction.on_commit(
                lambda: transitioned.send(
                    sender=Workflow,
                    workflow=self,
                    obj=locked,
                    event=event,
                    transition=chosen,
                    actor=actor,
                )
            )
        obj.__dict__.update(
            {f.attname: getattr(locked, f.attname) for f in locked._meta.concrete_fields}
        )
        return locked, event
