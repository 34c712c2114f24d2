"""The case page for staff (and for a signed-in reporter): details with personal data masked, the
timeline, photos, a small map, and the actions this user may take, each posted with htmx and
answered by the page's panel drawn again."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.accounts.roles import PII_ROLES
from gridgov.cases import actions, duplicates, public
from gridgov.cases.forms import ActionForm
from gridgov.cases.models import Case, ExtensionStatus, State
from gridgov.cases.views.access import visible_case
from gridgov.cases.views.common import photo_response
from gridgov.cases.views.resident import reporter_page
from gridgov.cases.workflow import TRANSITIONS
from gridgov.core import pii
from gridgov.core.access import has_role
from gridgov.core.errors import Refusal

TRANSITIONS_BY_ACTION = {t.action: t for t in TRANSITIONS}
DUPLICATE_STATES = (State.REPORTED, State.REGISTERED)


def _case_queryset():
    return Case.objects.select_related("category", "grid", "community", "department",
                                       "merged_into", "reporter")


def may_reveal(user, case: Case) -> bool:
    """Who needs a reporter's name and phone in full: the operations centre and grid staff whose
    scope covers the case, to call the reporter back."""
    if user.is_superuser:
        return True
    return Case.objects.visible_to(user, roles=PII_ROLES).filter(pk=case.pk).exists()


def _panel_context(request, case: Case, failed: ActionForm | None = None, status_note=""):
    # The usual next step first, the exceptions (reject, return, suspend...) after it.
    transitions = sorted(actions.allowed_actions(case, request.user),
                         key=lambda t: t.style != "primary")
    forms = [
        failed if failed is not None and failed.transition.action == t.action
        else ActionForm(t, case, request.user)
        for t in transitions
    ]
    context = {
        "case": case,
        "action_forms": forms,
        "failed_action": failed.transition.action if failed is not None else "",
        "events": public.events_seen_by(case, request.user),
        "photos": list(case.photos.only("pk", "case_id", "phase")),
        "participants": list(case.participants.select_related("department")),
        "pending_extension": case.extension_requests.filter(
            status=ExtensionStatus.PENDING).first(),
        "can_reveal": bool(case.reporter_name or case.reporter_phone) and (
            has_role(request.user, PII_ROLES)),
        "status_note": status_note,
        "duplicates": [],
    }
    if case.state in DUPLICATE_STATES and any(f.transition.action == "merge" for f in forms):
        # Shown to the operations centre at intake: the same problem reported before this case.
        found = duplicates.candidates(
            category=case.category, longitude=case.longitude, latitude=case.latitude,
            description=case.description, town=case.town_id, now=case.reported_at,
        )
        visible = set(Case.objects.visible_to(request.user)
                      .filter(pk__in=[c.pk for c in found]).values_list("pk", flat=True))
        context["duplicates"] = [c for c in found if c.pk in visible and c.pk != case.pk]
    return context


@login_required
def case_detail(request, pk):
    case = visible_case(request.user, pk, _case_queryset())
    if not public.sees_as_staff(request.user, case):
        # The reporter reads their own case as on the tracking page: replies, no internal notes.
        return reporter_page(request, case)
    return render(request, "cases/case_detail.html", _panel_context(request, case))


@login_required
@require_POST
def case_action(request, pk, action):
    case = visible_case(request.user, pk, _case_queryset())
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise Http404
    if transition not in actions.allowed_actions(case, request.user):
        raise PermissionDenied(_("您没有权限或当前状态下不能执行此操作"))
    form = ActionForm(transition, case, request.user, request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            actions.act(case, action, actor=request.user, **form.action_data())
        except Refusal as refusal:
            refusal.show_on(form)
            status = refusal.status
        else:
            return _after_action(request, pk, transition)
    return render(request, "cases/includes/panel.html",
                  _panel_context(request, case, failed=form), status=status)


def _after_action(request, pk, transition):
    """The panel again, or a note when the case has left this user's sight (e.g. returned by
    the department that held it)."""
    case = _case_queryset().visible_to(request.user).filter(pk=pk).first()
    if not request.htmx:
        return redirect("cases:case_detail", pk=pk) if case else redirect("cases:workbench")
    if case is None:
        return render(request, "cases/includes/gone.html", {"label": transition.label})
    return render(request, "cases/includes/panel.html",
                  _panel_context(request, case, status_note=_("已完成：%(label)s") % {
                      "label": transition.label}))


@login_required
@require_POST
def reveal_contact(request, pk):
    case = visible_case(request.user, pk)
    contact = {
        field: pii.reveal(case, field, actor=request.user, may_reveal=may_reveal)
        for field in ("reporter_name", "reporter_phone") if getattr(case, field)
    }
    return render(request, "cases/includes/contact.html", {"case": case, "contact": contact,
                                                           "revealed": True})


@login_required
def case_photo(request, pk, photo_id):
    return photo_response(visible_case(request.user, pk), photo_id)
