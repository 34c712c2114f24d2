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
