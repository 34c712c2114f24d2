"""The staff workbench: each role's queues within its scope, filters and search, and dispatching
many cases at once."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.cases import actions, queues, search
from gridgov.cases.forms import BulkDispatchForm, WorkbenchFilterForm
from gridgov.cases.models import Case
from gridgov.cases.views.access import staff_required
from gridgov.core import params, saved_filters
from gridgov.core.errors import Refusal
from gridgov.core.scope import roles_of


# The list as cards (phone first) or as a dense table (desktop).
VIEWS = ("list", "table")
SAVED_FILTER_PAGE = "cases:workbench"
saved_filters.register(SAVED_FILTER_PAGE)


@staff_required
def workbench(request):
    available = queues.queues_for(request.user, roles_of(request.user))
    queue = queues.QUEUES_BY_KEY.get(request.GET.get("queue", ""))
    if queue not in available:
        queue = available[0]
    now = timezone.now()
    form = WorkbenchFilterForm(request.GET, user=request.user)
    sort = queues.sort_named(params.choice(request.GET.get("sort"), "sort",
                                           [s.key for s in queues.SORTS]))
    table = params.choice(request.GET.get("view"), "view", VIEWS, default="list") == "table"
    rows, next_cursor = [], ""
    waiting = queues.counts(available, request.user, now)
    if form.is_valid():
        cases = queues.apply_filters(queues.queue_cases(queue, request.user, now),
                                     form.cleaned_data, now)
        rows, next_cursor = queues.page(cases, request.GET.get("after", ""),
                                        related=queues.ROW_RELATED, sort=sort)
    context = {
        "queue": queue, "sort": sort, "sorts": queues.SORTS, "table": table,
        "query_without_view": _without(_without_params(request.GET, "after"), "view"),
        "query_without_sort": _without(_without_params(request.GET, "after"), "sort"),
        "saved_filters": saved_filters.for_page(request.user, SAVED_FILTER_PAGE),
        "saved_filter_page": SAVED_FILTER_PAGE,
        "tabs": [(q, waiting.get(q.key)) for q in available], "form": form, "rows": rows,
        "next_cursor": next_cursor, "paged": bool(request.GET.get("after")),
        "query_string": _without(request.GET, "after"),
        "bulk_form": BulkDispatchForm(user=request.user) if queue.bulk_dispatch else None,
        # A single character is compared case by case, not found by index.
        "short_terms": form.is_valid() and not all(
            search.is_indexed(term) for term in search.terms(form.cleaned_data["q"])),
    }
    return render(request, "cases/workbench.html", context, status=200 if form.is_valid() else 400)


def _without_params(query, name: str):
    copy = query.copy()
    copy.pop(name, None)
    return copy


def _without(query, name: str) -> str:
    return _without_params(query, name).urlencode()


@staff_required
@require_POST
def bulk_dispatch(request):
    """Dispatch the ticked cases, each in its own transaction: one refusal stops only itself."""
    form = BulkDispatchForm(request.POST, user=request.user)
    results = []
    if form.is_valid():
        ids = form.cleaned_data["cases"]
        found = Case.objects.visible_to(request.user).in_bulk(ids)
        extra = {"department": form.cleaned_data["department"]} if form.cleaned_data[
            "department"] else {}
        for pk in ids:
            case = found.get(pk)
            if case is None:
                results.append({"pk": pk, "case": None, "ok": False,
                                "message": _("未找到或不在您的范围内")})
                continue
            try:
                case, event = actions.act(case, "dispatch", actor=request.user,
                                          note=form.cleaned_data["note"], **extra)
            except Refusal as error:
                results.append({"pk": pk, "case": case, "ok": False, "message": error.message})
            else:
                results.append({"pk": pk, "case": case, "ok": True, "message": _(
                    "已派遣至%(name)s") % {"name": event.data.get("department_name", "")}})
    template = "cases/includes/bulk_results.html" if request.htmx else "cases/bulk_results.html"
    return render(request, template, {"form": form, "results": results},
                  status=200 if form.is_valid() else 400)
