"""The map of open cases (/cases/map/): a page, and the data of one viewport as JSON."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from django.utils import timezone

from gridgov.cases import casemap, queues
from gridgov.cases.forms import WorkbenchFilterForm
from gridgov.cases.models import OPEN_STATES, Case, State
from gridgov.core import saved_filters
from gridgov.accounts.roles import CASE_STAFF
from gridgov.cases.views.access import staff_required
from gridgov.cases.views.common import map_view
from gridgov.core.errors import Refusal, refusal_response
from gridgov.grids.models import Grid


SAVED_FILTER_PAGE = "cases:case_map"
saved_filters.register(SAVED_FILTER_PAGE)


@staff_required
def case_map(request):
    form = WorkbenchFilterForm(request.GET, user=request.user)
    query = request.GET.copy()
    return render(request, "cases/map.html", {
        "map": map_view(Grid.objects.visible_to(request.user)), "form": form,
        "colours": casemap.COLOURS, "query_string": query.urlencode(),
        "saved_filters": saved_filters.for_page(request.user, SAVED_FILTER_PAGE),
        "saved_filter_page": SAVED_FILTER_PAGE,
    }, status=200 if form.is_valid() else 400)


@staff_required
def case_map_data(request):
    """The cases on the map: 待受理 and every open state, with the workbench's filters."""
    try:
        view = casemap.Viewport.parse(request.GET.get("bbox", ""), request.GET.get("zoom", ""))
        form = WorkbenchFilterForm(request.GET, user=request.user)
        if not form.is_valid():
            field, messages = next(iter(form.errors.items()))
            raise Refusal("invalid_parameter", messages[0], field)
    except Refusal as refusal:
        return refusal_response(refusal)
    now = timezone.now()
    # What the user's roles cover: a case they reported themselves is not part of their work.
    cases = Case.objects.visible_to(request.user, roles=CASE_STAFF).filter(
        state__in=(State.REPORTED, *OPEN_STATES))
    cases = queues.apply_filters(cases, form.cleaned_data, now)
    answer = casemap.features(cases, Grid.objects.visible_to(request.user), view, now)
    answer["case_url"] = reverse("cases:case_detail", args=[0]).replace("/0/", "/{id}/")
    return JsonResponse(answer)
