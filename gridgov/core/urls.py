from django.urls import path

from gridgov.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("text-size/", views.text_size, name="text_size"),
]
