from django.urls import path

from gridgov.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("join/", views.join, name="join"),
    path("me/", views.me, name="me"),
    path("scan/<str:token>/", views.scan, name="scan"),
    path("signups/<int:pk>/<slug:action>/", views.signup_act, name="signup_act"),
    path("certificate/<int:pk>/", views.certificate_page, name="certificate"),
    path("manage/", views.manage, name="manage"),
    path("manage/volunteers/<int:pk>/phone/", views.reveal_phone, name="reveal_phone"),
    path("manage/volunteers/<int:pk>/<slug:action>/", views.volunteer_act, name="volunteer_act"),
    path("manage/activities/new/", views.activity_new, name="activity_new"),
    path("manage/activities/<int:pk>/", views.roll_call, name="roll_call"),
    path("manage/activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("hours/", views.ledger_page, name="ledger"),
    path("hours/export/", views.export_hours, name="export_hours"),
    path("stats/", views.stats, name="stats"),
]
