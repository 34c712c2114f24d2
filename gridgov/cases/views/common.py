"""What the case views share: photo responses, the category list residents choose from, and
where a map opens."""

from django.db.models import Max, Min
from django.http import FileResponse, Http404

from gridgov.cases.models import Category
from gridgov.core import photos
from gridgov.grids.models import Town


def photo_response(case, photo_id: int) -> FileResponse:
    """A photo of a case the caller may already see; photos are not public files, whatever the
    storage (gridgov.core.photos.photo_response)."""
    photo = case.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photos.photo_response(photo.image)


def category_groups() -> list[tuple[str, list[Category]]]:
    """Active categories by 大类 name, as residents think of them: 部件 and 事件 of the same
    大类 (市容环境) in one group."""
    groups: dict[str, list[Category]] = {}
    for category in Category.objects.filter(is_active=True).order_by("kind", "major_code", "minor_code"):
        groups.setdefault(category.major_name, []).append(category)
    return list(groups.items())


def map_view(grids) -> dict:
    """Where a map opens: around the given grids, else at the first town's centre."""
    extent = grids.aggregate(west=Min("min_longitude"), south=Min("min_latitude"),
                             east=Max("max_longitude"), north=Max("max_latitude"))
    town = Town.objects.order_by("pk").only("longitude", "latitude").first()
    centre = (town.longitude, town.latitude) if town else (121.38, 31.21)
    if extent["west"] is None:
        return {"lon": centre[0], "lat": centre[1], "bounds": ""}
    bounds = ",".join(f"{extent[k]:.6f}" for k in ("west", "south", "east", "north"))
    return {"lon": (extent["west"] + extent["east"]) / 2,
            "lat": (extent["south"] + extent["north"]) / 2, "bounds": bounds}
