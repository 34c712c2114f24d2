"""Every write of the service package: views, the API, the visit follow-ups and the demo call
these. Applications move through the one transition table (gridgov.services.workflow)."""

from .models import Application
from .workflow import APPLICATION_WORKFLOW


def apply(*, actor, item, applicant_kind: str, contact_name: str, contact_phone: str,
          details: str, organisation_name: str = "", credit_code: str = "", on_behalf=False,
          grid=None, organisation=None, is_sample=False) -> Application:
    """A new application for `item` (a ServiceItem or its id) by `actor` — or, on_behalf, by
    the visiting team for someone met on a visit."""
    application, _event = APPLICATION_WORKFLOW.create(
        "apply", actor=actor, item=getattr(item, "pk", item), applicant_kind=applicant_kind,
        organisation_name=organisation_name, credit_code=credit_code, contact_name=contact_name,
        contact_phone=contact_phone, details=details, on_behalf=on_behalf, grid=grid,
        organisation=organisation, is_sample=is_sample)
    return application


def act(application: Application, action: str, *, actor, note: str = "", **data):
    """Run one action (accept, decline, start, complete, rate); returns (application, event)."""
    return APPLICATION_WORKFLOW.apply(application, action, actor=actor, note=note or "", **data)


def allowed_actions(application: Application, user) -> list:
    return APPLICATION_WORKFLOW.allowed_actions(application, user)
