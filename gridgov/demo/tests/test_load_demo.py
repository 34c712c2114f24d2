import io
import re

import pytest
import shapely
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse
from shapely.geometry import Point, shape

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.core.scope import roles_of
from gridgov.grids.models import Community, Department, Grid, GridStaff, Place, StaffLine, Town

pytestmark = pytest.mark.django_db
DEMO_PASSWORD = "xinjing-demo-2025"


def load_demo(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def output():
    """The demo app's own part: registry, grid teams, demo accounts (other apps' loaders, such
    as the cases, are left out here; the idempotency test runs them all)."""
    return load_demo("--only", "demo_accounts")


def counts() -> dict[str, int]:
    labels = {"accounts", "grids", "core", "auth"} | {
        c.label for c in apps.get_app_configs() if c.name.startswith("gridgov.")}
    return {m._meta.label: m.objects.count() for m in apps.get_models()
            if m._meta.app_label in labels}


def test_running_twice_duplicates_nothing_and_writes_no_new_audit():
    load_demo()
    first = counts()
    assert first["grids.Grid"] >= 12 and first["accounts.User"] > 8

    load_demo()

    assert counts() == first


def test_only_runs_the_named_loaders_and_what_they_need():
    output = load_demo("--only", "registry")

    assert Town.objects.exists() and Place.objects.exists()
    assert not User.objects.exists() and "13800000001" not in output

    with pytest.raises(CommandError, match="no demo loader named"):
        load_demo("--only", "nonsense")


# Names that the two issues of 新泾报 give; anything else the demo holds must be marked sample.
REAL = {
    Community: {"绿八居民区", "新渔东路居民区"},
    Grid: {"第四网格"},
    Place: {"淞虹路地铁站", "西郊金融园"},
    Department: {"新泾综合行政执法队", "新泾市场监管所", "绿八居民区居委会", "新渔东路居民区居委会"},
}


@pytest.mark.parametrize("model", list(REAL))
def test_exactly_the_records_named_in_the_texts_are_not_sample(output, model):
    assert set(model.objects.filter(is_sample=False).values_list("name", flat=True)) == REAL[model]
    assert model.objects.filter(is_sample=True).count() >= 2


def test_only_the_grid_post_named_in_the_texts_is_not_sample(output):
    real = GridStaff.objects.filter(is_sample=False).select_related("grid", "user")
    assert [(p.grid.name, p.user.name, p.position, p.also_liaison) for p in real] == [
        ("第四网格", "夏秀宾", "deputy", True)]


def test_the_town_is_xinjing_in_changning(output):
    town = Town.objects.get()
    assert (town.name, town.district, town.district_code, town.is_sample) == (
        "新泾镇", "长宁区", "310105", False)
    assert re.fullmatch(r"\d{3}", town.code)
    assert abs(town.longitude - 121.36) < 0.02 and abs(town.latitude - 31.21) < 0.02


def test_every_place_has_the_grid_that_holds_it(output):
    places = list(Place.objects.select_related("grid"))
    assert len(places) >= 30
    for place in places:
        assert place.grid is not None, place.name
        assert shape(place.grid.boundary).covers(Point(place.longitude, place.latitude)), place.name


def test_grids_tile_one_outline_without_gaps_or_overlaps(output):
    polygons = [shape(boundary) for boundary in Grid.objects.values_list("boundary", flat=True)]
    outline = shapely.union_all(polygons)

    assert 12 <= len(polygons) <= 20
    assert outline.geom_type == "Polygon" and not outline.interiors
    assert sum(p.area for p in polygons) == pytest.approx(outline.area, rel=1e-9)


def test_grid_names_and_unit_codes(output):
    grids = list(Grid.objects.select_related("town", "community").order_by("number"))
    assert [g.name for g in grids[:4]] == ["第一网格", "第二网格", "第三网格", "第四网格"]
    assert grids[9].name == "第十网格" and grids[13].name == "第十四网格"
    sequences = {}
    for grid in grids:
        grid.full_clean()
        prefix = f"310105{grid.town.code}{grid.community.code}"
        assert grid.unit_code.startswith(prefix) and len(grid.unit_code) == 15
        sequences.setdefault(grid.community.code, []).append(int(grid.unit_code[-3:]))
    assert all(seq == list(range(1, len(seq) + 1)) for seq in sequences.values())


def test_communities_have_codes_and_distinct_colours(output):
    communities = list(Community.objects.all())
    assert len(communities) >= 4
    assert all(re.fullmatch(r"\d{3}", c.code) for c in communities)
    assert len({c.color for c in communities}) == len(communities)
    assert all(c.grids.exists() for c in communities)


def test_every_grid_has_one_leader_and_every_line(output):
    for grid in Grid.objects.prefetch_related("staff"):
        posts = list(grid.staff.all())
        assert [p.position for p in posts].count("leader") == 1, grid.name
        assert {p.line for p in posts} == set(StaffLine.values), grid.name


def test_grid_staff_hold_the_grid_staff_role_in_their_grid(output):
    for post in GridStaff.objects.select_related("user"):
        assert post.user.role_assignments.filter(role=Role.GRID_STAFF, scope_kind="grid",
                                                 scope_id=post.grid_id).exists()


def test_one_demo_account_per_role_and_a_resident_all_signing_in(client, output):
    phones = [f"1380000000{n}" for n in range(1, 9)]
    roles = []
    for phone in phones:
        response = client.post(reverse("accounts:login"), {"phone": phone,
                                                           "password": DEMO_PASSWORD})
        assert response.status_code == 302, phone
        client.logout()
        roles.append(roles_of(User.objects.by_phone(phone).get()))
    # One town: no district administrator in the demo.
    assert roles[:7] == [{role} for role in Role.values if role != Role.DISTRICT_ADMIN]
    assert roles[7] == set()


def test_demo_grid_staff_works_in_grid_four_and_handler_in_enforcement(output):
    grid_staff = User.objects.by_phone("13800000001").get()
    handler = User.objects.by_phone("13800000002").get()

    assert grid_staff.grid_posts.get().grid.name == "第四网格"
    assert handler.role_assignments.get().scope_id == Department.objects.get(
        name="新泾综合行政执法队").pk


def test_admin_account_uses_the_admin_site_without_being_superuser(client, output):
    admin = User.objects.by_phone("13800000007").get()
    assert admin.is_staff and not admin.is_superuser
    assert admin.has_perm("grids.change_grid")
    assert not User.objects.filter(is_superuser=True).exists()

    client.force_login(admin)
    assert client.get(reverse("admin:grids_grid_changelist")).status_code == 200


def test_output_lists_every_demo_account_with_the_password(output):
    for n in range(1, 9):
        line = next(line for line in output.splitlines() if f"1380000000{n}" in line)
        assert DEMO_PASSWORD in line
    assert "网格员" in output and "居民/商户" in output and "第四网格" in output


def test_refuses_on_a_machine_with_its_own_personal_data_key(settings):
    settings.USING_DEMO_KEYS = False

    with pytest.raises(CommandError, match="--force"):
        load_demo("--only", "registry")
    assert not Town.objects.exists() and not User.objects.exists()

    load_demo("--force", "--only", "registry")
    assert Town.objects.exists()


def test_a_changed_demo_password_is_put_back(output):
    operator = User.objects.by_phone("13800000003").get()
    operator.set_password("something-else-42")
    operator.save()

    load_demo("--only", "demo_accounts")

    operator.refresh_from_db()
    assert operator.check_password(DEMO_PASSWORD)


def test_the_demo_deputy_represents_a_community_and_reads_its_cases(output):
    """A town-wide deputy assignment reads no case (docs/security.md); the demo's deputy has a
    constituency, and a demo loaded when the deputy was town-wide keeps no stale assignment."""
    from gridgov.accounts import actions

    deputy = User.objects.by_phone("13800000005").get()
    assignment = deputy.role_assignments.get()
    assert (assignment.scope_kind, assignment.scope_id) == (
        "community", Community.objects.get(name="新渔东路居民区").pk)

    actions.assign_role(deputy, Role.DEPUTY, "town", Town.objects.get().pk, actor=None)
    load_demo("--only", "demo_accounts")
    assert deputy.role_assignments.get().scope_kind == "community"
