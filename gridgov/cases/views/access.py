"""Who reaches the staff pages, and how a case is looked up: always inside what the user may see."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from gridgov.cases.models import Case
from gridgov.accounts.roles import CASE_STAFF
from gridgov.core.scope import roles_of


def is_staff(user) -> bool:
    return bool(roles_of(user) & CASE_STAFF) or getattr(user, "is_superuser", False)


def staff_required(view):
    """Signed in (else the log-in page) and holding a case-handling role (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff(request.user):
            raise PermissionDenied("仅限工作人员")
        return view(request, *args, **kwargs)

    return wrapper


def visible_case(user, pk: int, queryset=None) -> Case:
    """The case if the user may see it, else 404: a case out of scope looks like no case."""
    return get_object_or_404((queryset if queryset is not None else Case.objects).visible_to(user),
                             pk=pk)
