"""The one role gate and in-scope lookup every app's views use, from the refused side first."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from gridgov.core.access import has_role, require_role, role_required, visible_or_404
from gridgov.grids.models import Grid
from gridgov.grids.tests.factories import CommunityFactory, GridFactory, UserFactory, staff

pytestmark = pytest.mark.django_db


@role_required({"operator", "admin"}, "仅限城运中心")
def _page(request):
    return HttpResponse("ok")


def _get(user):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    return _page(request)


def test_a_signed_out_visitor_is_sent_to_log_in():
    response = _get(AnonymousUser())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_user_without_the_role_is_refused_with_the_message():
    community = CommunityFactory()
    with pytest.raises(PermissionDenied, match="仅限城运中心"):
        _get(staff("grid_staff", GridFactory(community=community)))
    with pytest.raises(PermissionDenied):
        _get(UserFactory())


def test_a_role_holder_and_a_superuser_get_in():
    community = CommunityFactory()
    assert _get(staff("operator", community)).status_code == 200
    assert _get(UserFactory(is_superuser=True)).status_code == 200


def test_has_role_and_require_role_agree():
    resident = UserFactory()
    assert not has_role(resident, {"operator"})
    assert not has_role(AnonymousUser(), {"operator"})
    with pytest.raises(PermissionDenied):
        require_role(resident, {"operator"})


def test_a_row_out_of_scope_is_a_404_like_a_missing_one():
    community = CommunityFactory()
    mine, theirs = GridFactory(community=community), GridFactory()
    keeper = staff("grid_staff", mine)
    assert visible_or_404(Grid.objects, keeper, pk=mine.pk) == mine
    for pk in (theirs.pk, 10**9):
        with pytest.raises(Http404):
            visible_or_404(Grid.objects, keeper, pk=pk)
