"""The map of open cases (/cases/map/): a page, and the data of one viewport as JSON."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from gridgov.cases import casemap
from gridgov.cases.models import Case
from gridgov.accounts.roles import CASE_STAFF
from gridgov.cases.views.access import staff_required
from gridgov.cases.views.common import map_view
from gridgov.core.errors import Refusal, refusal_response
from gridgov.grids.models import Grid


@staff_required
def case_map(request):
    return render(request, "cases/map.html", {"map": map_view(Grid.objects.visible_to(request.user))})


@staff_required
def case_map_data(request):
    try:
        view = casemap.Viewport.parse(request.GET.get("bbox", ""), request.GET.get("zoom", ""))
    except Refusal as refusal:
        return refusal_response(refusal)
    # What the user's roles cover: a case they reported themselves is not part of their work.
    answer = casemap.features(Case.objects.visible_to(request.user, roles=CASE_STAFF).open(),
                              Grid.objects.visible_to(request.user), view)
    answer["case_url"] = reverse("cases:case_detail", args=[0]).replace("/0/", "/{id}/")
    return JsonResponse(answer)
