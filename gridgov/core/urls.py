from django.urls import path

from gridgov.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("text-size/", views.text_size, name="text_size"),
    path("filters/save/", views.save_filter, name="save_filter"),
    path("filters/<int:pk>/delete/", views.delete_filter, name="delete_filter"),
]
