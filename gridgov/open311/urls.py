from django.urls import re_path

from gridgov.open311 import views

app_name = "open311"
FORMAT = r"\.(?P<fmt>[a-z]+)$"
urlpatterns = [
    re_path(r"^services" + FORMAT, views.services, name="services"),
    re_path(r"^services/(?P<service_code>[A-Za-z0-9_-]+)" + FORMAT, views.service_definition,
            name="service_definition"),
    re_path(r"^requests" + FORMAT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<service_request_id>[A-Za-z0-9_-]+)" + FORMAT,
            views.service_request, name="request"),
]
