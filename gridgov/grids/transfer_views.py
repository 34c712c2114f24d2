"""Import and export pages: registry editors (管理员) of a town only."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.grids.access import editable_towns, registry_editor
from gridgov.grids.downloads import PLACE_FORMATS, grids_download, places_download
from gridgov.grids.forms import GridImportForm, PlaceImportForm
from gridgov.grids.io.errors import ImportRefused
from gridgov.grids.io.grid_import import import_grids
from gridgov.grids.io.place_import import import_places


def _page(request, grid_form=None, place_form=None, refused=None, status=200):
    user = request.user
    return render(request, "grids/import.html", {
        "grid_form": grid_form or GridImportForm(user=user),
        "place_form": place_form or PlaceImportForm(user=user),
        "towns": editable_towns(user).order_by("pk"),
        "refused": refused,
    }, status=status)


@registry_editor
def transfer(request):
    return _page(request)


def _run_import(request, form_class, form_key, run):
    form = form_class(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _page(request, **{form_key: form}, status=400)
    upload = form.cleaned_data["file"]
    try:
        report = run(form.cleaned_data, upload)
    except ImportRefused as refused:
        return _page(request, **{form_key: form}, refused=refused, status=400)
    messages.success(request, _("导入完成：共 %(rows)d 行，新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d。")
                     % report.as_dict())
    outside = report.counts.get("outside")
    if outside:
        messages.warning(request, _("%(count)d 个地点不在任何网格内（如第 %(rows)s 行），请核对坐标是否为 WGS84。")
                         % {"count": outside, "rows": "、".join(map(str, report.counts["outside_rows"]))})
    return redirect("grids:transfer")


@require_POST
@registry_editor
def import_grids_view(request):
    return _run_import(request, GridImportForm, "grid_form", lambda data, upload: import_grids(
        upload.read(), town=data["town"], actor=request.user,
        update_existing=data["update_existing"], source_name=upload.name))


@require_POST
@registry_editor
def import_places_view(request):
    return _run_import(request, PlaceImportForm, "place_form", lambda data, upload: import_places(
        upload.read(), town=data["town"], actor=request.user, filename=upload.name))


@registry_editor
def export_grids_view(request, town_id):
    town = get_object_or_404(editable_towns(request.user), pk=town_id)
    return grids_download(town, actor=request.user)


@registry_editor
def export_places_view(request, town_id, fmt):
    if fmt not in PLACE_FORMATS:
        raise Http404
    town = get_object_or_404(editable_towns(request.user), pk=town_id)
    return places_download(town, fmt, actor=request.user)
