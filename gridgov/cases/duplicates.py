"""Duplicates on intake: the same problem reported twice is offered for merging, not handled twice.

A candidate is a case not yet finished, of the same category, in the same town, reported within
settings.GRIDGOV_DUPLICATE_HOURS before, within settings.GRIDGOV_DUPLICATE_METRES, whose text is
similar: the Jaccard similarity of the two descriptions' character bigrams (Chinese has no spaces
to split words at; bigrams catch "井盖破损" in "人行道井盖破损了") reaches
settings.GRIDGOV_DUPLICATE_SIMILARITY. The database narrows by index (category, reported_at, and
the bounding box of the circle); the distance and the text are compared on at most
MAX_EXAMINED rows in Python.
"""

import datetime as dt
import math
import re

from django.conf import settings

from gridgov.grids.geometry import metres_per_degree

from . import deadlines
from .models import OPEN_STATES, Case, State

MAX_EXAMINED = 200
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def _setting(name: str, default):
    return getattr(settings, name, default)


def bigrams(text: str) -> set[str]:
    clean = _NOISE.sub("", (text or "").lower())
    if len(clean) < 2:
        return {clean} if clean else set()
    return {clean[i:i + 2] for i in range(len(clean) - 1)}


def similarity(a: str, b: str) -> float:
    first, second = bigrams(a), bigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Metres between two nearby points (an equirectangular approximation: exact to well under a
    metre over a few hundred metres)."""
    per_lon, per_lat = metres_per_degree((lat1 + lat2) / 2)
    return math.hypot((lon2 - lon1) * per_lon, (lat2 - lat1) * per_lat)


def candidates(*, category, longitude: float, latitude: float, description: str, town,
               now: dt.datetime | None = None, exclude=None, limit: int = 5) -> list[Case]:
    """Open cases that look like the same problem, most similar first; each carries
    `distance_m` and `similarity`."""
    metres = _setting("GRIDGOV_DUPLICATE_METRES", 100)
    hours = _setting("GRIDGOV_DUPLICATE_HOURS", 72)
    threshold = _setting("GRIDGOV_DUPLICATE_SIMILARITY", 0.2)
    now = now or deadlines.now()
    per_lon, per_lat = metres_per_degree(latitude)
    dlon, dlat = metres / per_lon, metres / per_lat
    rows = (
        Case.objects.filter(
            town=town,
            category=category,
            state__in=(State.REPORTED, State.SUSPENDED, *OPEN_STATES),
            reported_at__gte=now - dt.timedelta(hours=hours),
            reported_at__lte=now,
            longitude__range=(longitude - dlon, longitude + dlon),
            latitude__range=(latitude - dlat, latitude + dlat),
        )
        .exclude(pk=getattr(exclude, "pk", exclude))
        .only("pk", "number", "description", "address", "longitude", "latitude", "state",
              "reported_at", "category_id", "town_id")
        .order_by("-reported_at")[:MAX_EXAMINED]
    )
    found = []
    for case in rows:
        case.distance_m = distance_m(longitude, latitude, case.longitude, case.latitude)
        if case.distance_m > metres:
            continue
        case.similarity = similarity(description, case.description)
        if case.similarity >= threshold:
            found.append(case)
    found.sort(key=lambda c: (-c.similarity, c.distance_m))
    return found[:limit]


def candidates_for(case: Case, limit: int = 5) -> list[Case]:
    """Possible duplicates of an existing case, around the time it was reported."""
    return candidates(category=case.category_id, longitude=case.longitude,
                      latitude=case.latitude, description=case.description, town=case.town_id,
                      now=case.reported_at, exclude=case.pk, limit=limit)
