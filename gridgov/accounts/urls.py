from django.urls import path

from gridgov.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/send/", views.send_code_view, name="send_code"),
    path("login/code/", views.code_login_view, name="code_login"),
    path("login/second-factor/", views.second_factor_view, name="second_factor"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.my_account, name="my_account"),
]
