"""Pages of the service package: the public catalogue for phones, applying, following one's
applications, the provider's queue and the catalogue's Excel import and export. Thin: each
looks up within the user's scope, calls one action, and shows refusals in Chinese."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.core import pii, tabular
from gridgov.core.access import role_required, visible_or_404
from gridgov.core.errors import Refusal
from gridgov.core.scope import ScopeKind, scope_ids
from gridgov.grids.models import Town

from . import actions, catalogue_io
from .forms import CatalogueImportForm, action_form, apply_form
from .models import Application, Aspect, ServiceItem, State, TargetGroup
from .queues import QUEUE_STATES, provider_queue
from .rules import CATALOGUE_EDITORS, PROVIDERS
from .workflow import TRANSITIONS

TRANSITIONS_BY_ACTION = {t.action: t for t in TRANSITIONS if not t.system}
ACTION_LABELS = {t.action: str(t.label) for t in TRANSITIONS}
STATE_LABELS = dict(State.choices)
PAGE_SIZE = 30
MAX_QUERY = 100


def _int(value, default=None, low=1, high=2**31 - 1):
    """A query parameter as a bounded whole number, else the default (never a 500)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def public_town(request) -> Town:
    """The town whose catalogue is shown: ?town=<id>, else the installation's first."""
    town = None
    wanted = _int(request.GET.get("town"))
    if wanted:
        town = Town.objects.filter(pk=wanted).first()
    town = town or Town.objects.order_by("pk").first()
    if town is None:
        raise Http404
    return town


def catalogue(request):
    """The public catalogue: browse by aspect and target group, search in Chinese."""
    town = public_town(request)
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    items = ServiceItem.objects.active().filter(town=town)
    aspect_id = _int(request.GET.get("aspect"))
    if aspect_id:
        items = items.filter(category__aspect_id=aspect_id)
    target = request.GET.get("for", "")
    if target in TargetGroup.values:
        items = items.filter(target_groups__contains=target)
    number = _int(request.GET.get("page"), 1, high=10_000)
    total, rows = items.order_by("category__aspect__order", "category__order", "code").search_page(
        query, (number - 1) * PAGE_SIZE, PAGE_SIZE, related=("category__aspect", "department"))
    page = ResultPage(rows, number, total)
    aspects = Aspect.objects.filter(town=town).prefetch_related("categories")
    return render(request, "services/catalogue.html", {
        "town": town, "query": query, "page": page, "aspects": aspects, "aspect_id": aspect_id,
        "target": target, "targets": TargetGroup.choices, "searching": bool(query),
        "total": ServiceItem.objects.active().filter(town=town).count(),
    })


class ResultPage(list):
    """One page of a search: the rows, and what the template's pager asks."""

    def __init__(self, rows, number: int, total: int):
        super().__init__(rows)
        self.number, self.total = number, total

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number * PAGE_SIZE < self.total

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def item_detail(request, pk):
    item = get_object_or_404(ServiceItem.objects.active().select_related(
        "category__aspect", "department"), pk=pk)
    return render(request, "services/item.html", {"item": item})


@login_required
def apply(request, pk):
    item = get_object_or_404(ServiceItem.objects.active().select_related("department"), pk=pk)
    form = apply_form(request.POST or None, user=request.user,
                      initial={"contact_name": getattr(request.user, "name", ""),
                               "applicant_kind": "organisation"})
    if request.method == "POST" and form.is_valid():
        try:
            application = actions.apply(actor=request.user, item=item, **form.values())
        except Refusal as refusal:
            refusal.show_on(form)
        else:
            messages.success(request, _("申请已提交，编号 %(number)s") % {
                "number": application.number})
            return redirect("services:application", pk=application.pk)
    return render(request, "services/apply.html", {"item": item, "form": form})


@login_required
def my_applications(request):
    rows = Application.objects.filter(applicant=request.user).select_related("item")
    page = Paginator(rows, PAGE_SIZE).get_page(_int(request.GET.get("page"), 1))
    return render(request, "services/mine.html", {"page": page})


def may_reveal(user, application: Application) -> bool:
    """The provider working it (and superusers) may call the applicant: full phone number."""
    from .rules import APPLICATION_WORKERS

    return user.is_superuser or Application.objects.visible_to(
        user, roles=APPLICATION_WORKERS).filter(pk=application.pk).exists()


def _detail_context(request, application, failed=None):
    forms = []
    for t in actions.allowed_actions(application, request.user):
        if failed is not None and failed.transition.action == t.action:
            forms.append(failed)
        else:
            forms.append(action_form(t, obj=application, user=request.user))
    events = list(application.events.all())
    for event in events:
        event.label = ACTION_LABELS.get(event.action, event.action)
        event.state_label = STATE_LABELS.get(event.to_state, event.to_state)
    return {"application": application, "action_forms": forms, "events": events,
            "need": getattr(application, "need", None),
            "can_reveal": may_reveal(request.user, application),
            "now": timezone.now()}


def _visible_application(user, pk):
    return visible_or_404(Application.objects.select_related(
        "item__category__aspect", "department", "grid", "organisation"), user, pk=pk)


@login_required
def application_detail(request, pk):
    application = _visible_application(request.user, pk)
    return render(request, "services/application.html", _detail_context(request, application))


@login_required
@require_POST
def application_action(request, pk, action):
    application = _visible_application(request.user, pk)
    t = TRANSITIONS_BY_ACTION.get(action)
    if t is None:
        raise Http404
    form = action_form(t, request.POST, obj=application, user=request.user)
    if form.is_valid():
        try:
            actions.act(application, action, actor=request.user, **form.values())
        except Refusal as refusal:
            refusal.show_on(form)
        else:
            messages.success(request, _("已%(label)s") % {"label": t.label})
            return redirect("services:application", pk=application.pk)
    return render(request, "services/application.html",
                  _detail_context(request, application, failed=form), status=400)


@login_required
@require_POST
def reveal_contact(request, pk):
    application = _visible_application(request.user, pk)
    phone = pii.reveal(application, "contact_phone", actor=request.user, may_reveal=may_reveal)
    return render(request, "services/_revealed.html", {"value": phone})


@role_required(PROVIDERS, _("只有服务提供部门、城运中心和镇领导可以查看服务申请"))
def queue(request):
    tab = request.GET.get("tab", "received")
    tab = tab if tab in QUEUE_STATES else "received"
    overdue = request.GET.get("overdue") == "1"
    rows = provider_queue(request.user, tab=tab, overdue=overdue)
    page = Paginator(rows, PAGE_SIZE).get_page(_int(request.GET.get("page"), 1))
    return render(request, "services/queue.html", {
        "page": page, "tab": tab, "overdue": overdue, "now": timezone.now(),
        "tabs": [("received", _("待接单")), ("working", _("服务中")), ("done", _("已结束"))]})


def editor_town(user, wanted=None) -> Town:
    """The town whose catalogue an editor replaces: one they hold an editor's role in."""
    towns = Town.objects.visible_to(user, roles=CATALOGUE_EDITORS)
    if not user.is_superuser:
        towns = towns.filter(pk__in=scope_ids(user, CATALOGUE_EDITORS).get(ScopeKind.TOWN, ()))
    town = towns.filter(pk=wanted).first() if wanted else towns.order_by("pk").first()
    if town is None:
        raise Refusal("forbidden", _("只有镇党建办或管理员可以维护服务清单"))
    return town


@role_required(CATALOGUE_EDITORS, _("只有镇党建办或管理员可以维护服务清单"))
def catalogue_import(request):
    try:
        town = editor_town(request.user, _int(request.GET.get("town")))
    except Refusal as refusal:
        return render(request, "403.html", {"exception": refusal.message}, status=403)
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    report = errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = catalogue_io.import_catalogue(
                upload.read(catalogue_io.MAX_BYTES + 1), town=town, actor=request.user,
                filename=upload.name)
        except Refusal as refusal:
            errors = refusal.items()
    return render(request, "services/import.html", {
        "town": town, "form": form, "report": report, "errors": errors,
        "status": 400 if errors else 200}, status=400 if errors else 200)


@role_required(CATALOGUE_EDITORS, _("只有镇党建办或管理员可以维护服务清单"))
def catalogue_export(request):
    try:
        town = editor_town(request.user, _int(request.GET.get("town")))
    except Refusal as refusal:
        return render(request, "403.html", {"exception": refusal.message}, status=403)
    return tabular.xlsx_response([catalogue_io.catalogue_sheet(town)],
                                 f"服务清单-{town.name}.xlsx")
