from django.urls import path

from gridgov.services import views, views_coverage, views_visits

app_name = "services"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/apply/", views.apply, name="apply"),
    path("mine/", views.my_applications, name="mine"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/act/<str:action>/", views.application_action,
         name="application_action"),
    path("applications/<int:pk>/contact/", views.reveal_contact, name="reveal_contact"),
    path("queue/", views.queue, name="queue"),
    path("catalogue/import/", views.catalogue_import, name="catalogue_import"),
    path("catalogue/export.xlsx", views.catalogue_export, name="catalogue_export"),
    path("visits/", views_visits.visits_home, name="visits"),
    path("visits/sw.js", views_visits.service_worker, name="visit_sw"),
    path("visits/new/", views_visits.visit_new, name="visit_new"),
    path("visits/plans/new/", views_visits.plan_new, name="plan_new"),
    path("visits/<int:pk>/", views_visits.visit_detail, name="visit"),
    path("visits/<int:pk>/photos/<int:photo_id>/", views_visits.visit_photo, name="visit_photo"),
    path("visits/needs/<int:pk>/<str:how>/", views_visits.follow_up, name="follow_up"),
    path("coverage/", views_coverage.coverage_table, name="coverage"),
    path("coverage/uncovered/", views_coverage.uncovered_list, name="uncovered"),
    path("coverage/export.xlsx", views_coverage.coverage_export, name="coverage_export"),
]
