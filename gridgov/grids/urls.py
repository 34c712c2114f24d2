from django.urls import path

from gridgov.grids import map_views, transfer_views, views

app_name = "grids"
urlpatterns = [
    path("", map_views.grid_map, name="map"),
    path("map/grids.geojson", map_views.map_grids, name="map_grids"),
    path("map/places.geojson", map_views.map_places, name="map_places"),
    path("map/search", map_views.map_search, name="map_search"),
    path("map/outlines.geojson", map_views.public_outlines, name="public_outlines"),
    path("map/basemap.geojson", map_views.basemap_features, name="basemap"),
    path("list/", views.grid_list, name="grid_list"),
    path("<int:pk>/", views.grid_detail, name="grid_detail"),
    path("places/", views.place_list, name="place_list"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:pk>/phone/", views.staff_phone, name="staff_phone"),
    path("transfer/", transfer_views.transfer, name="transfer"),
    path("transfer/grids/", transfer_views.import_grids_view, name="import_grids"),
    path("transfer/places/", transfer_views.import_places_view, name="import_places"),
    path("transfer/<int:town_id>/grids.geojson", transfer_views.export_grids_view,
         name="export_grids"),
    path("transfer/<int:town_id>/places.<str:fmt>", transfer_views.export_places_view,
         name="export_places"),
]
