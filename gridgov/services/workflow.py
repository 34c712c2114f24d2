"""An application for a service item as one transition table.

    "" ──apply──▶ received ──accept──▶ accepted ──start──▶ in_service ──complete──▶ done
                     └──────decline──────┴── (with a reason) ──▶ declined
    done ──rate (the applicant, once)──▶ done;  the sweep: warned / overdue (state kept)

Who: anyone signed in applies (the applicant), and the visiting team applies for a visit's need
on the applicant's behalf; the providing department's handlers accept, decline, start and
complete the applications of their department; the operations centre of the town does so for
items no department provides (a partner unit's). The applicant rates once, when it is done.

Deadlines: the clock starts at the application with the item's promised response time (working
days on the official calendar, gridgov.core.workdays); accepting restarts it with the item's
promised service time. A declined or finished application has stopped it.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Role
from gridgov.core import pii, workdays
from gridgov.core.inputs import Input
from gridgov.core.scope import ScopeKind, scope_ids
from gridgov.core.workflow import NEW, Guard, Relation, Standing, Workflow, WorkflowError, transition

from . import credit_code as credit_codes
from .models import (
    Application,
    ApplicationEvent,
    ApplicationSequence,
    ApplicantKind,
    Organisation,
    ServiceItem,
    State,
)
from .rules import VISIT_TEAM


def now() -> dt.datetime:
    return timezone.now()


def set_clock(application: Application, start: dt.datetime, days: int) -> None:
    """Due at the end of office hours on the `days`th working day after `start`'s day; warned at
    the end of the working day before."""
    days = max(days, 1)
    application.due_at = workdays.add_working_days(start, days)
    application.warn_at = workdays.add_working_days(start, days - 1)
    application.warned_at = None
    application.escalated_at = None


def next_number(moment: dt.datetime) -> str:
    day = timezone.localtime(moment).date()
    with transaction.atomic():
        ApplicationSequence.objects.get_or_create(day=day)
        sequence = ApplicationSequence.objects.select_for_update().get(day=day)
        sequence.last += 1
        sequence.save(update_fields=["last"])
    return f"S{day:%Y%m%d}-{sequence.last:04d}"


def is_applicant(application: Application, user) -> bool:
    return (application.applicant_id is not None
            and application.applicant_id == getattr(user, "pk", None))


SIGNED_IN = Relation("applicant", lambda application, user: getattr(user, "is_authenticated",
                                                                    False))
APPLICANT = Relation("applicant", is_applicant)


def standing(application: Application, user, role: str, t) -> Standing | None:
    """A handler acts for the providing department; the operations centre for its town, on
    items that no department provides; the visiting team applies in its grid, community or
    town."""
    ids = scope_ids(user, [role])
    if role == Role.HANDLER:
        if application.department_id and application.department_id in ids.get(
                ScopeKind.DEPARTMENT, ()):
            return Standing(role, ScopeKind.DEPARTMENT, application.department_id,
                            application.department.name)
        return None
    if role == Role.OPERATOR and t.action != "apply" and application.department_id:
        return None
    grid = application.grid if application.grid_id else None
    for kind, unit, label in (
            (ScopeKind.GRID, application.grid_id, lambda: grid.name),
            (ScopeKind.COMMUNITY, grid.community_id if grid else None,
             lambda: grid.community.name),
            (ScopeKind.TOWN, application.town_id, lambda: application.town.name)):
        if unit is not None and unit in ids.get(kind, ()):
            return Standing(role, kind, unit, label())
    return None


def _active_items(application, user):
    return ServiceItem.objects.active().select_related("department", "category")


KIND_CHOICES = tuple(ApplicantKind.choices)
APPLY_INPUTS = (
    Input("item", "ref", _("服务项目"), required=True, queryset=_active_items,
          invalid=_("该服务项目不存在或已停用"), code="bad_item"),
    Input("applicant_kind", "choice", _("申请人类型"), required=True, choices=KIND_CHOICES),
    Input("organisation_name", "text", _("单位名称"), max=100,
          help=_("以单位或商户名义申请时填写")),
    Input("credit_code", "text", _("统一社会信用代码"), max=30,
          help=_("18位，以单位名义申请时填写")),
    Input("contact_name", "text", _("联系人"), required=True, max=50),
    Input("contact_phone", "text", _("联系电话"), required=True, max=20,
          help=_("仅经办人员可见，默认隐藏中间四位")),
    Input("details", "text", _("申请说明"), required=True, min=2, max=2000),
)


def _apply(application: Application, *, actor, note, item, applicant_kind, organisation_name,
           credit_code: str, contact_name, contact_phone, details, on_behalf=False, grid=None,
           organisation=None, is_sample=False, **_ignored):
    """`on_behalf`: the visiting team applies for a need found on a visit; the applicant has no
    account here and is told by phone."""
    code = credit_codes.normalize(credit_code)
    if applicant_kind == ApplicantKind.ORGANISATION:
        if not organisation_name:
            raise WorkflowError("required", "以单位名义申请请填写单位名称", "organisation_name")
        if not code:
            raise WorkflowError("required", "以单位名义申请请填写统一社会信用代码", "credit_code")
    if code and not credit_codes.is_valid(code):
        raise WorkflowError("bad_credit_code", "统一社会信用代码不正确（应为18位，校验位需相符）",
                            "credit_code")
    phone = pii.normalize_phone(contact_phone)
    if not pii.is_valid_contact_phone(phone):
        raise WorkflowError("bad_phone", "请填写正确的手机号或固定电话", "contact_phone")
    if organisation is None and code:
        organisation = Organisation.objects.filter(town_id=item.town_id,
                                                   credit_code=code).first()
    moment = now()
    application.number = next_number(moment)
    application.town_id = item.town_id
    application.item = item
    application.department_id = item.department_id
    application.grid = grid or (organisation.grid if organisation else None)
    application.organisation = organisation
    application.applicant = (None if on_behalf or not getattr(actor, "is_authenticated", False)
                             else actor)
    application.applicant_kind = applicant_kind
    as_organisation = applicant_kind == ApplicantKind.ORGANISATION
    application.organisation_name = organisation_name if as_organisation else ""
    application.credit_code = code if as_organisation else ""
    application.contact_name = contact_name
    application.contact_phone = phone
    application.details = details
    application.submitted_at = moment
    application.is_sample = is_sample
    set_clock(application, moment, item.response_days)
    return {"item": item.code}


def _accept(application, *, actor, note, **_):
    moment = now()
    application.accepted_at = moment
    set_clock(application, moment, application.item.service_days)


def _decline(application, *, actor, note, reason, **_):
    application.decline_reason = reason
    application.finished_at = now()
    return {"reason": reason}


def _complete(application, *, actor, note, result, **_):
    application.result = result
    application.finished_at = now()


def _rate(application, *, actor, note, rating, comment, **_):
    application.rating = rating
    application.rating_comment = comment
    return {"rating": rating}


NOT_RATED = Guard(lambda application, user: application.rating is None, "already_rated",
                  _("已经评价过了"))
REASON = Input("reason", "text", _("不予办理理由"), required=True, min=2, max=500)
RESULT = Input("result", "text", _("办理结果"), required=True, min=2, max=2000)
RATING = Input("rating", "int", _("评价（1-5星）"), required=True, min=1, max=5,
               invalid=_("评价应为1到5星"))
COMMENT = Input("comment", "text", _("评价意见"), max=500)
WORKERS = {Role.HANDLER, Role.OPERATOR}

TRANSITIONS = (
    transition("apply", NEW, State.RECEIVED, VISIT_TEAM, _("申请服务"), relations=(SIGNED_IN,),
               inputs=APPLY_INPUTS, effect=_apply, past="applied"),
    transition("accept", State.RECEIVED, State.ACCEPTED, WORKERS, _("接单"), effect=_accept),
    transition("decline", (State.RECEIVED, State.ACCEPTED), State.DECLINED, WORKERS,
               _("不予办理"), inputs=(REASON,), effect=_decline, style="secondary"),
    transition("start", State.ACCEPTED, State.IN_SERVICE, WORKERS, _("开始服务"),
               past="started"),
    transition("complete", State.IN_SERVICE, State.DONE, WORKERS, _("办结"),
               inputs=(RESULT,), effect=_complete),
    transition("rate", State.DONE, None, (), _("评价"), relations=(APPLICANT,),
               inputs=(RATING, COMMENT), guards=(NOT_RATED,), effect=_rate),
    transition("warn", (State.RECEIVED, State.ACCEPTED, State.IN_SERVICE), None, (),
               _("即将超期"), system=True, past="warned"),
    transition("overdue", (State.RECEIVED, State.ACCEPTED, State.IN_SERVICE), None, (),
               _("超期"), system=True, past="became_overdue"),
)


def record_event(application, *, transition, actor, standing, from_state, note, data, inputs):
    label = str(actor) if getattr(actor, "is_authenticated", False) else ""
    if transition.relations and standing is not None and standing.role == "applicant":
        label = pii.mask_name(getattr(actor, "name", "") or "") or "申请人"
    return ApplicationEvent.write(
        application=application,
        **ApplicationEvent.fields_for(transition=transition, actor=actor, label=label,
                                      standing=standing, from_state=from_state,
                                      to_state=application.state, note=note, data=data))


APPLICATION_WORKFLOW = Workflow(
    name="services.application", model=Application, transitions=TRANSITIONS,
    standing=standing, record_event=record_event,
    lock_related=("item", "grid__community", "department", "town"))
