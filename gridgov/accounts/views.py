import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.accounts import actions, two_factor
from gridgov.accounts.forms import (
    CodeLoginForm,
    CodeRequestForm,
    PasswordLoginForm,
    SecondFactorForm,
)
from gridgov.accounts.models import TwoFactor, User, assignments_with_scopes
from gridgov.core.errors import Refusal


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


# The first factor passed, the second not yet: who and how, until when.
PENDING = "gridgov_second_factor"
PENDING_SECONDS = 300


def _finish(request, user, method):
    if two_factor.needs_second_factor(user):
        request.session[PENDING] = {"user": user.pk, "method": method,
                                    "until": time.time() + PENDING_SECONDS}
        return redirect(f"{reverse('accounts:second_factor')}?{urlencode({'next': _next_url(request)})}")
    return _sign_in(request, user, method)


def _sign_in(request, user, method):
    login(request, user, backend="gridgov.accounts.backends.PhoneBackend")
    actions.record_login(user, method)
    return redirect(_next_url(request))


def second_factor_view(request):
    """The authenticator app's code (or a recovery code) after the password or SMS code; on the
    first time, the enrolment: a QR code to scan, a code to prove it, the recovery codes."""
    pending = request.session.get(PENDING)
    if not pending or pending["until"] < time.time():
        request.session.pop(PENDING, None)
        return redirect("accounts:login")
    user = User.objects.get(pk=pending["user"])
    enrolled = TwoFactor.objects.filter(user=user).exists()
    if not enrolled:
        pending.setdefault("secret", two_factor.new_secret())
        request.session[PENDING] = pending
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            code = form.cleaned_data["code"]
            try:
                if enrolled:
                    second = actions.pass_second_factor(request, user, code)
                else:
                    recovery_codes = actions.enrol_two_factor(user, pending["secret"], code,
                                                              actor=user)
                    second = "totp"
            except Refusal as error:
                form.add_error("code", error.message)
                status = error.status
            else:
                del request.session[PENDING]
                response = _sign_in(request, user, f"{pending['method']}+{second}")
                if enrolled:
                    return response
                return render(request, "accounts/recovery_codes.html", {
                    "codes": recovery_codes, "next": response.url})
    context = {"form": form, "next": _next_url(request), "enrolled": enrolled}
    if not enrolled:
        # segno draws the SVG from the secret alone: no text from data reaches it.
        qr = mark_safe(two_factor.qr_svg(user, pending["secret"]))  # nosec B308 B703  # noqa: S308
        context.update(qr=qr,
                       secret=" ".join(pending["secret"][i:i + 4]
                                       for i in range(0, len(pending["secret"]), 4)))
    return render(request, "accounts/second_factor.html", context, status=status)


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
            except Refusal as error:
                form.add_error(None, error.message)
                status = error.status
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
        except Refusal as error:
            form.add_error("phone", error.message)
            status = error.status
    if form.errors:
        return render(request, "accounts/login.html", {
            "form": PasswordLoginForm(), "code_form": form, "next": _next_url(request),
        }, status=status)
    messages.info(request, _("验证码已发送，请查看短信。首次使用的手机号，验证后即开通居民账号。"))
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
                request, form.cleaned_data["phone"], form.cleaned_data["code"],
                name=form.cleaned_data["name"],
            )
        except Refusal as error:
            form.add_error("code", error.message)
            status = error.status
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
