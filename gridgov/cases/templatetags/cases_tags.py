"""Small display helpers for the case pages."""

from django import template
from django.utils.translation import gettext_lazy as _

from gridgov.cases import deadlines
from gridgov.cases.models import PhotoPhase
from gridgov.cases.workflow import TRANSITIONS

register = template.Library()

# Moves written to the log outside the transition table.
_OTHER_LABELS = {"merge_in": _("合并重复事件")}
ACTION_LABELS = {**{t.action: t.label for t in TRANSITIONS}, **_OTHER_LABELS}
LIGHT_LABELS = {"green": _("正常"), "yellow": _("临近时限"), "red": _("已超期"), "paused": _("计时暂停")}


@register.filter
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, _("办理记录"))


@register.filter
def photos_by_phase(photos) -> list[tuple[str, list]]:
    """[(phase label, photos)] in the order before, after; phases without photos left out."""
    groups = []
    for phase in PhotoPhase:
        chosen = [p for p in photos if p.phase == phase]
        if chosen:
            groups.append((phase.label, chosen))
    return groups


@register.inclusion_tag("cases/includes/light.html")
def light(case):
    colour = case.deadline_light(deadlines.now())
    return {"colour": colour, "label": LIGHT_LABELS.get(colour, ""), "case": case}
