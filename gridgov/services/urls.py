from django.urls import path

from gridgov.services import views

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
]
