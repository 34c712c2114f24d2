"""Who hears about an application: outbox notices (gridgov.core.notify) written inside each
move's transaction, so that a refused move leaves none. The applicant hears of every step (by
their account; an application made for them on a visit, by the phone they gave); the providing
unit hears of a new application and of a deadline reached."""

from django.utils import timezone

from gridgov.accounts.models import RoleAssignment
from gridgov.accounts.roles import Role
from gridgov.core import notify
from gridgov.core.scope import ScopeKind

APPLICANT, PROVIDER = "applicant", "provider"
RULES: dict[str, tuple[str, str]] = {
    "apply": (APPLICANT, "您申请的“{item}”已收到，编号{number}，将于{due}前响应。"),
    "accept": (APPLICANT, "您申请的“{item}”（编号{number}）已接单，承诺于{due}前办结。"),
    "decline": (APPLICANT, "您申请的“{item}”（编号{number}）不予办理：{note}"),
    "start": (APPLICANT, "您申请的“{item}”（编号{number}）已开始服务。"),
    "complete": (APPLICANT, "您申请的“{item}”（编号{number}）已办结，欢迎评价。"),
    "warn": (PROVIDER, "预警：服务申请{number}（{item}）将于{due}到期。"),
    "overdue": (PROVIDER, "超期：服务申请{number}（{item}）已超过承诺时限{due}。"),
}
NEW_FOR_PROVIDER = "新的服务申请{number}：{item}，请于{due}前响应。"


def providers(application) -> set[int]:
    """The handlers of the providing department, or the town's operations centre for an item
    a partner unit provides."""
    if application.department_id:
        condition = {"role": Role.HANDLER, "scope_kind": ScopeKind.DEPARTMENT,
                     "scope_id": application.department_id}
    else:
        condition = {"role": Role.OPERATOR, "scope_kind": ScopeKind.TOWN,
                     "scope_id": application.town_id}
    return set(RoleAssignment.objects.filter(**condition).values_list("user_id", flat=True))


def _text(template: str, application, event) -> str:
    due = timezone.localtime(application.due_at).strftime("%m月%d日%H:%M") if application.due_at else ""
    return template.format(item=application.item.name, number=application.number, due=due,
                           note=event.note or application.decline_reason)


def on_event_recorded(sender, *, obj, event, transition, **kwargs):
    rule = RULES.get(transition.action)
    if rule is None:
        return
    group, template = rule
    kind = f"services.application.{transition.done}"
    if group == APPLICANT:
        if obj.applicant_id:
            notify.notify(kind=kind, body=_text(template, obj, event), user_ids=[obj.applicant_id],
                          about=obj)
        elif obj.contact_phone:
            notify.notify(kind=kind, body=_text(template, obj, event),
                          addresses=[obj.contact_phone], about=obj)
    else:
        notify.notify(kind=kind, body=_text(template, obj, event), user_ids=sorted(providers(obj)),
                      about=obj)
    if transition.action == "apply":
        notify.notify(kind=kind, body=_text(NEW_FOR_PROVIDER, obj, event),
                      user_ids=sorted(providers(obj)), about=obj)
