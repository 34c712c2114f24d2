from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.accounts import actions
from gridgov.accounts.forms import CodeLoginForm, CodeRequestForm, PasswordLoginForm
from gridgov.accounts.models import assignments_with_scopes


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def _finish(request, user, method):
    login(request, user, backend="gridgov.accounts.backends.PhoneBackend")
    actions.record_login(user, method)
    return redirect(_next_url(request))


def _refused(error: actions.LoginError) -> int:
    return 429 if error.code in ("throttled", "too_many_codes") else 400


def login_view(request):
    form = PasswordLoginForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                user = actions.log_in_with_password(
                    request, form.cleaned_data["phone"], form.cleaned_data["password"]
                )
            except actions.LoginError as error:
                form.add_error(None, error.message)
                status = _refused(error)
            else:
                return _finish(request, user, "password")
    return render(request, "accounts/login.html", {
        "form": form, "code_form": CodeRequestForm(), "next": _next_url(request),
    }, status=status)


@require_POST
def send_code_view(request):
    form = CodeRequestForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            actions.send_login_code(request, form.cleaned_data["phone"])
        except actions.LoginError as error:
            form.add_error("phone", error.message)
            status = _refused(error)
    if form.errors:
        return render(request, "accounts/login.html", {
            "form": PasswordLoginForm(), "code_form": form, "next": _next_url(request),
        }, status=status)
    messages.info(request, _("如该手机号已注册，验证码已发送。"))
    return render(request, "accounts/code_login.html", {
        "form": CodeLoginForm(initial={"phone": form.cleaned_data["phone"]}),
        "next": _next_url(request),
    })


@require_POST
def code_login_view(request):
    form = CodeLoginForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            user = actions.log_in_with_code(
                request, form.cleaned_data["phone"], form.cleaned_data["code"]
            )
        except actions.LoginError as error:
            form.add_error("code", error.message)
            status = _refused(error)
        else:
            return _finish(request, user, "sms_code")
    return render(request, "accounts/code_login.html", {"form": form, "next": _next_url(request)},
                  status=status)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("/")


@login_required
def my_account(request):
    return render(request, "accounts/my_account.html", {
        "assignments": assignments_with_scopes(request.user),
        "grid_posts": request.user.grid_posts.select_related("grid__community"),
    })
