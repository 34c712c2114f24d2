"""The address register (地名地址): find a standard address as it is typed, and describe a point.

Typed text is read as a road (any part of its name: "新渔" finds 新渔东路) and a house number
(whole or its first digits: "8" finds 8, 80–89, 800–899 ...). Roads are few (hundreds per town),
so the part of a name is looked for in the small road table; the addresses are then read through
the (road, number) index, one range per digit count: no scan of the addresses whatever their
number, on SQLite and PostgreSQL alike.
"""

import math
import re
import unicodedata

from gridgov.grids.geometry import metres_per_degree
from gridgov.grids.models import Address, AddressRoad

MAX_RESULTS = 10
MAX_ROADS = 20
MAX_QUERY_LENGTH = 50
# Numbers up to this many digits; a longer number is no house number.
MAX_NUMBER_DIGITS = 6
# The nearest address is looked for this far around a point, nearer first.
NEAREST_RADII_M = (60, 250)

QUERY = re.compile(r"^(?P<road>\D*)(?P<number>\d+)?(?P<suffix>号|弄|支弄)?")


def normalize(text: str) -> str:
    """Full-width digits and letters to plain ones, spaces and control characters out."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_QUERY_LENGTH * 2]
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] != "C")


def parse(text: str) -> tuple[str, str, bool]:
    """("新渔东路", "88", True) from "新渔东路 88号": the road, the number ("" when none is
    typed) and whether it is whole (a 号 or 弄 follows it) or still being typed."""
    match = QUERY.match(normalize(text)[:MAX_QUERY_LENGTH])
    return match["road"], (match["number"] or "")[:MAX_NUMBER_DIGITS], bool(match["suffix"])


def number_ranges(prefix: str) -> list[tuple[int, int]]:
    """The numbers that start with these digits, as ranges: "8" → (8, 8), (80, 89), (800, 899)..."""
    value = int(prefix)
    ranges = [(value, value)]
    for extra in range(1, MAX_NUMBER_DIGITS - len(prefix) + 1):
        scale = 10 ** extra
        if value:
            ranges.append((value * scale, value * scale + scale - 1))
    return ranges


def matching_roads(road_text: str, town=None) -> list[AddressRoad]:
    roads = AddressRoad.objects.filter(name__contains=road_text)
    if town is not None:
        roads = roads.filter(town=town)
    found = list(roads.order_by("name")[:MAX_ROADS * 5])
    # Names that start with what was typed first, then the shorter ones.
    found.sort(key=lambda road: (not road.name.startswith(road_text), len(road.name), road.name))
    return found[:MAX_ROADS]


def search(text: str, town=None, limit: int = MAX_RESULTS) -> list[Address]:
    road_text, number, whole = parse(text)
    if not road_text:
        return []
    roads = matching_roads(road_text, town)
    if not roads:
        return []
    found: list[Address] = []
    by_id = {road.pk: road for road in roads}
    if not number:
        ranges = [(0, 10 ** MAX_NUMBER_DIGITS)]
    else:
        ranges = [(int(number), int(number))] if whole else number_ranges(number)
    for low, high in ranges:
        # One query per digit count, through the (road, number) index: the exact number first.
        rows = list(Address.objects.filter(road_id__in=by_id, number__range=(low, high))
                    .order_by("number", "road_id", "number_suffix", "building")
                    [:limit - len(found)])
        for address in rows:
            address.road = by_id[address.road_id]
        found.extend(rows)
        if len(found) >= limit:
            break
    return found


def nearest(longitude: float, latitude: float, town=None) -> tuple[Address, float] | None:
    """The address nearest to the point within NEAREST_RADII_M, and its distance in metres."""
    per_lon, per_lat = metres_per_degree(latitude)
    for radius in NEAREST_RADII_M:
        dlon, dlat = radius / per_lon, radius / per_lat
        candidates = Address.objects.filter(
            longitude__range=(longitude - dlon, longitude + dlon),
            latitude__range=(latitude - dlat, latitude + dlat))
        if town is not None:
            candidates = candidates.filter(road__town=town)
        best, best_distance = None, math.inf
        for pk, lon, lat in candidates.values_list("pk", "longitude", "latitude").iterator():
            distance = math.hypot((lon - longitude) * per_lon, (lat - latitude) * per_lat)
            if distance < best_distance:
                best, best_distance = pk, distance
        if best is not None and best_distance <= radius:
            return Address.objects.select_related("road").get(pk=best), best_distance
    return None
