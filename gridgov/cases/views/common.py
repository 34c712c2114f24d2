"""What the case views share: photo responses and the category list residents choose from."""

import mimetypes

from django.http import FileResponse, Http404

from gridgov.cases.models import Category
from gridgov.grids.models import Town


def photo_response(case, photo_id: int) -> FileResponse:
    """A photo of a case the caller may already see; photos are not public files."""
    photo = case.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=mimetypes.guess_type(photo.image.name)[0])
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def category_groups() -> list[tuple[str, list[Category]]]:
    """Active categories by 大类 name, as residents think of them: 部件 and 事件 of the same
    大类 (市容环境) in one group."""
    groups: dict[str, list[Category]] = {}
    for category in Category.objects.filter(is_active=True).order_by("kind", "major_code", "minor_code"):
        groups.setdefault(category.major_name, []).append(category)
    return list(groups.items())


def map_center() -> tuple[float, float]:
    town = Town.objects.order_by("pk").only("longitude", "latitude").first()
    return (town.longitude, town.latitude) if town else (121.38, 31.21)
