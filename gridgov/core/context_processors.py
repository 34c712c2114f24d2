from django.conf import settings

from gridgov.core import navigation, workdays
from gridgov.core.scope import roles_of
from gridgov.core.views import TEXT_SIZE_COOKIE

# The roles told that next year's holidays are missing. Core knows no roles: the accounts app adds
# them when it starts (those who set deadlines or keep the calendar).
calendar_watchers: set[str] = set()


def platform(request):
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else set()
    return {
        "platform_name": "新泾镇网格治理平台",
        "large_text": request.COOKIES.get(TEXT_SIZE_COOKIE) == "large",
        "user_roles": roles,
        "nav_items": navigation.items_for(user, roles, request.path) if user is not None else [],
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "calendar_missing_year": (workdays.unknown_year_ahead()
                                  if roles & calendar_watchers or getattr(user, "is_superuser", False)
                                  else None),
    }
