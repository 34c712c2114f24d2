"""Who reaches the staff pages, and how a case is looked up: always inside what the user may see."""

from django.utils.translation import gettext_lazy as _

from gridgov.cases.models import Case
from gridgov.accounts.roles import CASE_STAFF
from gridgov.core.access import role_required, visible_or_404

# Signed in (else the log-in page) and holding a case-handling role (else 403).
staff_required = role_required(CASE_STAFF, _("仅限工作人员"))


def visible_case(user, pk: int, queryset=None) -> Case:
    """The case if the user may see it, else 404: a case out of scope looks like no case."""
    return visible_or_404(queryset if queryset is not None else Case.objects, user, pk=pk)
