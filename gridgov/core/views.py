from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gridgov.core import navigation
from gridgov.core.scope import roles_of

# The reader's choice of text size (长者版), kept for a year on this device.
TEXT_SIZE_COOKIE = "gridgov_text"
TEXT_SIZES = ("normal", "large")


def home(request):
    roles = roles_of(request.user)
    return render(request, "core/home.html", {
        "todos": navigation.todos_for(request.user, roles),
        "panels": navigation.panels_for(request.user, roles),
    })


@require_POST
def text_size(request):
    """Switch large text on or off and go back to the page the switch was pressed on."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = "/"
    response = redirect(back)
    size = request.POST.get("size", "")
    if size in TEXT_SIZES:
        response.set_cookie(TEXT_SIZE_COOKIE, size, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=request.is_secure())
    return response


@require_POST
def save_filter(request):
    """Save the filters of a list or map page under a name, then show the page with them."""
    from django.contrib.auth.views import redirect_to_login
    from django.urls import reverse

    from gridgov.core import saved_filters

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    saved = saved_filters.save(request.user, page=request.POST.get("page", ""),
                               name=request.POST.get("name", ""),
                               query=request.POST.get("query", ""))
    return redirect(f"{reverse(saved.page)}?{saved.query}")


@require_POST
def delete_filter(request, pk):
    from django.contrib.auth.views import redirect_to_login
    from django.urls import reverse

    from gridgov.core import saved_filters

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return redirect(reverse(saved_filters.delete(request.user, pk)))
