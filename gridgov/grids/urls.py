from django.urls import path

from gridgov.grids import views

app_name = "grids"
urlpatterns = [
    path("", views.grid_map, name="map"),
]
