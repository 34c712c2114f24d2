from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path

from gridgov.api import api

admin.site.site_header = "新泾镇网格治理平台 · 管理后台"
admin.site.site_title = "管理后台"
# One way in: the platform's log-in (throttled, with the second factor), never the admin's own
# form, which would skip both.
admin.site.login = lambda request, extra_context=None: redirect_to_login(
    request.GET.get("next") or "/admin/", login_url="accounts:login")

urlpatterns = [
    path("", include("gridgov.core.urls")),
    path("accounts/", include("gridgov.accounts.urls")),
    path("grids/", include("gridgov.grids.urls")),
    path("cases/", include("gridgov.cases.urls")),
    path("indicators/", include("gridgov.indicators.urls")),
    path("services/", include("gridgov.services.urls")),
    path("volunteers/", include("gridgov.volunteers.urls")),
    path("api/", api.urls),
    path("open311/v2/", include("gridgov.open311.urls")),
    path("admin/", admin.site.urls),
]
