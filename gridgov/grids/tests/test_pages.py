import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridgov.core.models import AuditEntry
from gridgov.grids.tests.factories import GridFactory, GridStaffFactory, PlaceFactory

pytestmark = pytest.mark.django_db

LISTS = ["grids:grid_list", "grids:place_list", "grids:staff_list"]


def names(response, key="page"):
    return [str(row) for row in response.context[key]]


@pytest.mark.parametrize("url_name", LISTS)
def test_lists_refuse_residents_and_send_visitors_to_log_in(client, users, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(users.resident)
    assert client.get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize("role, grids", [
    ("admin", ["第一网格", "第二网格", "第三网格"]),
    ("handler", ["第一网格", "第二网格", "第三网格"]),
    ("community_operator", ["第三网格"]),
    ("grid_staff", ["第一网格"]),
    ("other_admin", []),
])
def test_grid_list_shows_only_the_grids_in_scope(client, users, role, grids):
    client.force_login(getattr(users, role))
    assert names(client.get(reverse("grids:grid_list"))) == grids


def test_grid_list_filters_by_community_and_text(client, town, users):
    client.force_login(users.admin)
    url = reverse("grids:grid_list")
    assert names(client.get(url, {"community": town.south.pk})) == ["第三网格"]
    assert names(client.get(url, {"q": "第2网格"})) == ["第二网格"]
    assert names(client.get(url, {"q": town.c.unit_code})) == ["第三网格"]
    response = client.get(url)
    assert response.context["page"][0].place_count == 1 and response.context["page"][0].staff_count == 1


def test_a_community_outside_scope_is_not_a_filter_choice(client, town, users):
    client.force_login(users.community_operator)
    response = client.get(reverse("grids:grid_list"), {"community": town.north.pk})
    assert names(response) == []
    assert "community" in response.context["form"].errors


def test_place_list_filters_by_kind_grid_community_and_text(client, town, users):
    PlaceFactory(grid=town.b, name="虹桥菜场", kind="market", address="新泾路8号")
    client.force_login(users.admin)
    url = reverse("grids:place_list")
    assert names(client.get(url, {"kind": "market"})) == ["虹桥菜场"]
    assert names(client.get(url, {"grid": town.b.pk})) == ["第二网格大楼", "虹桥菜场"]
    assert names(client.get(url, {"community": town.south.pk})) == ["第三网格大楼"]
    assert names(client.get(url, {"q": "新泾路8"})) == ["虹桥菜场"]


def test_place_and_staff_lists_of_a_grid_staff_hold_only_their_grid(client, town, users):
    client.force_login(users.grid_staff)
    assert names(client.get(reverse("grids:place_list"))) == ["第一网格大楼"]
    assert [p.grid for p in client.get(reverse("grids:staff_list")).context["page"]] == [town.a]
    # Asking for grid B by filter gives nothing, not B's rows.
    assert names(client.get(reverse("grids:place_list"), {"grid": town.b.pk})) == []


def test_staff_list_masks_and_shows_the_line_before_the_merger(client, town, users):
    GridStaffFactory(grid=town.a, position="deputy", line="party", also_liaison=True,
                     user__name="夏秀宾", user__phone="13912345678")
    client.force_login(users.operator)
    html = client.get(reverse("grids:staff_list"), {"grid": town.a.pk}).content.decode()
    assert "139****5678" in html and "13912345678" not in html
    assert "夏*宾" in html and "夏秀宾" not in html
    assert "副网格长" in html and "兼联络员" in html and "党建网格" in html and "多格合一" in html


@pytest.mark.parametrize("url_name, make", [
    ("grids:grid_list", lambda town: GridFactory(community=town.north)),
    ("grids:place_list", lambda town: PlaceFactory(grid=town.a)),
    ("grids:staff_list", lambda town: GridStaffFactory(grid=town.a)),
])
def test_list_queries_do_not_grow_with_rows(client, town, users, url_name, make,
                                           django_assert_max_num_queries):
    client.force_login(users.admin)
    url = reverse(url_name)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(27):
        make(town)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["page"]) == 30


def test_lists_are_paginated(client, town, users):
    for _ in range(60):
        PlaceFactory(grid=town.a)
    client.force_login(users.admin)
    first = client.get(reverse("grids:place_list"), {"kind": "building"})
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.count == 63
    assert "kind=building&amp;page=2" in first.content.decode()
    assert len(client.get(reverse("grids:place_list"), {"page": 2}).context["page"]) == 13


def test_grid_detail_shows_staff_masked_and_places(client, town, users):
    client.force_login(users.grid_staff)
    response = client.get(reverse("grids:grid_detail", args=[town.a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "第一网格大楼" in html and "夏*宾" in html
    assert response.context["map_config"]["grid"] == town.a.pk
    assert response.context["map_config"]["extent"] == pytest.approx([121.0, 31.0, 121.01, 31.01])


@pytest.mark.parametrize("role, grid", [("grid_staff", "b"), ("community_operator", "a"),
                                        ("other_admin", "a")])
def test_grid_detail_outside_scope_is_404(client, town, users, role, grid):
    client.force_login(getattr(users, role))
    assert client.get(reverse("grids:grid_detail", args=[getattr(town, grid).pk])).status_code == 404


def test_grid_detail_refuses_a_resident(client, town, users):
    client.force_login(users.resident)
    assert client.get(reverse("grids:grid_detail", args=[town.a.pk])).status_code == 403


class TestFullPhone:
    def url(self, post):
        return reverse("grids:staff_phone", args=[post.pk])

    def test_a_pii_role_in_scope_sees_the_number_and_the_view_is_audited(self, client, town, users):
        post = town.posts[1]
        client.force_login(users.grid_staff)
        listing = client.get(reverse("grids:staff_list")).content.decode()
        assert "class=\"link reveal\"" in listing
        response = client.post(self.url(post), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert post.user.phone in response.content.decode()
        assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
        entry = AuditEntry.objects.get(action="core.pii.revealed")
        assert entry.actor == users.grid_staff and entry.object_id == str(post.user.pk)
        assert entry.changes == {"field": "phone"}

    @pytest.mark.parametrize("role", ["leader", "handler"])
    def test_a_role_without_pii_rights_gets_403_and_no_button(self, client, town, users, role):
        client.force_login(getattr(users, role))
        assert "class=\"link reveal\"" not in client.get(reverse("grids:staff_list")).content.decode()
        response = client.post(self.url(town.posts[1]))
        assert response.status_code == 403
        assert town.posts[1].user.phone not in response.content.decode()
        assert not AuditEntry.objects.filter(action="core.pii.revealed").exists()

    @pytest.mark.parametrize("role", ["grid_staff", "community_operator", "other_admin"])
    def test_a_post_outside_scope_is_404(self, client, town, users, role):
        client.force_login(getattr(users, role))
        assert client.post(self.url(town.posts[2])).status_code == 404
        assert not AuditEntry.objects.filter(action="core.pii.revealed").exists()

    def test_a_resident_is_refused_and_get_is_not_allowed(self, client, town, users):
        client.force_login(users.resident)
        assert client.post(self.url(town.posts[1])).status_code == 403
        client.force_login(users.admin)
        assert client.get(self.url(town.posts[1])).status_code == 405


def test_the_menu_offers_the_map_to_registry_roles_only(client, users):
    client.force_login(users.handler)
    assert reverse("grids:map") in client.get("/").content.decode()
    assert reverse("grids:transfer") not in client.get("/").content.decode()
    client.force_login(users.admin)
    assert reverse("grids:transfer") in client.get("/").content.decode()
    client.force_login(users.resident)
    assert reverse("grids:map") not in client.get("/").content.decode()
