import time

from django.conf import settings
from django.contrib.auth import logout

from gridgov.core.scope import roles_of

SEEN = "gridgov_staff_seen"
# The session is written at most this often just to note activity.
NOTE_EVERY_SECONDS = 60


def note_sign_in(sender, request, user, **kwargs):
    """Start the idle clock in the session that log-in saves anyway, so that the requests
    after it write nothing until a minute has passed."""
    if request is not None and hasattr(request, "session"):
        request.session[SEEN] = time.time()


class StaffIdleTimeoutMiddleware:
    """Signs staff (anyone with a role, or the admin site) out after STAFF_IDLE_SECONDS without
    a request; residents keep Django's session age."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and (user.is_staff or user.is_superuser or roles_of(user)):
            now = time.time()
            seen = request.session.get(SEEN)
            if seen is not None and now - seen > settings.STAFF_IDLE_SECONDS:
                logout(request)
            elif seen is None or now - seen > NOTE_EVERY_SECONDS:
                request.session[SEEN] = now
        return self.get_response(request)
