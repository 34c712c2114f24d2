from django.urls import path

from gridgov.cases import report_limits
from gridgov.cases.views import casemap, detail, resident, workbench

app_name = "cases"
urlpatterns = [
    path("report/", report_limits.guarded(resident.report), name="report"),
    path("report/kept/<str:key>/<str:name>/", resident.kept_photo, name="kept_photo"),
    path("mine/", resident.my_cases, name="my_cases"),
    path("track/", resident.track, name="track"),
    path("track/<str:code>/", resident.track_case, name="track_case"),
    path("track/<str:code>/rate/", resident.rate, name="rate"),
    path("track/<str:code>/photos/<int:photo_id>/", resident.track_photo, name="track_photo"),
    path("workbench/", workbench.workbench, name="workbench"),
    path("workbench/dispatch/", workbench.bulk_dispatch, name="bulk_dispatch"),
    path("map/", casemap.case_map, name="case_map"),
    path("map/data/", casemap.case_map_data, name="case_map_data"),
    path("<int:pk>/", detail.case_detail, name="case_detail"),
    path("<int:pk>/act/<str:action>/", detail.case_action, name="case_action"),
    path("<int:pk>/contact/", detail.reveal_contact, name="reveal_contact"),
    path("<int:pk>/photos/<int:photo_id>/", detail.case_photo, name="case_photo"),
]
