"""Registry pages: lists, grid detail, and the audited full-phone view."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gridgov.core import params
from gridgov.grids import actions
from gridgov.grids.access import (
    registry_reader,
    staff_with_full_phone_access,
    visible_grids,
    visible_places,
    visible_staff,
)
from gridgov.grids.forms import GridFilter, PlaceFilter, StaffFilter
from gridgov.grids.map_views import map_config
from gridgov.grids.models import GridStaff, Place

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(params.page_number(request.GET.get("page")))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _counts(model, grid_ids) -> dict[int, int]:
    rows = model.objects.filter(grid_id__in=grid_ids).order_by().values("grid_id").annotate(
        n=Count("pk"))
    return {row["grid_id"]: row["n"] for row in rows}


@registry_reader
def grid_list(request):
    form = GridFilter(request.GET, user=request.user)
    page = _page(request, form.apply(visible_grids(request.user)).select_related("community")
                 .order_by("town_id", "number"))
    ids = [grid.pk for grid in page]
    places, staff = _counts(Place, ids), _counts(GridStaff, ids)
    for grid in page:
        grid.place_count, grid.staff_count = places.get(grid.pk, 0), staff.get(grid.pk, 0)
    return render(request, "grids/grid_list.html", {
        "form": form, "page": page, "query": _query_without_page(request)})


@registry_reader
def grid_detail(request, pk):
    grid = get_object_or_404(visible_grids(request.user).select_related("community", "town"), pk=pk)
    posts = list(visible_staff(request.user).filter(grid=grid).select_related("user")
                 .order_by("position", "pk"))
    page = _page(request, visible_places(request.user).filter(grid=grid).order_by("kind", "name"))
    return render(request, "grids/grid_detail.html", {
        "grid": grid, "posts": posts, "page": page, "query": "",
        "map_config": map_config(request.user, grid),
        "revealable": staff_with_full_phone_access(request.user, [p.pk for p in posts]),
    })


@registry_reader
def place_list(request):
    form = PlaceFilter(request.GET, user=request.user)
    page = _page(request, form.apply(visible_places(request.user))
                 .select_related("grid", "grid__community").order_by("name", "pk"))
    return render(request, "grids/place_list.html", {
        "form": form, "page": page, "query": _query_without_page(request)})


@registry_reader
def staff_list(request):
    form = StaffFilter(request.GET, user=request.user)
    page = _page(request, form.apply(visible_staff(request.user))
                 .select_related("user", "grid", "grid__community")
                 .order_by("grid__town_id", "grid__number", "position", "pk"))
    return render(request, "grids/staff_list.html", {
        "form": form, "page": page, "query": _query_without_page(request),
        "revealable": staff_with_full_phone_access(request.user, [p.pk for p in page]),
    })


@never_cache
@require_POST
@registry_reader
def staff_phone(request, pk):
    post = get_object_or_404(visible_staff(request.user).select_related("user"), pk=pk)
    phone = actions.reveal_staff_phone(post, actor=request.user)  # PermissionDenied: 403
    return render(request, "grids/_phone.html", {"phone": phone, "post": post})
