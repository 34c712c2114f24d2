from django.contrib import admin
from django.urls import include, path

from gridgov.api import api

admin.site.site_header = "新泾镇网格治理平台 · 管理后台"
admin.site.site_title = "管理后台"

urlpatterns = [
    path("", include("gridgov.core.urls")),
    path("accounts/", include("gridgov.accounts.urls")),
    path("grids/", include("gridgov.grids.urls")),
    path("cases/", include("gridgov.cases.urls")),
    path("indicators/", include("gridgov.indicators.urls")),
    path("api/", api.urls),
    path("open311/v2/", include("gridgov.open311.urls")),
    path("admin/", admin.site.urls),
]
