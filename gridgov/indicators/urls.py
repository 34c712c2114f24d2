from django.urls import path

from gridgov.indicators import views as dashboard

app_name = "indicators"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("indicators.xlsx", dashboard.export_indicators, name="export_indicators"),
    path("cases.csv", dashboard.export_cases, name="export_cases"),
]
