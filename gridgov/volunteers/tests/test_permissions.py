"""Who may not: another organisation's organiser, another town's alliance office, a plain
resident, a volunteer reading another's data — on the pages and in the API alike. Rows out of
reach answer 404 (like rows that do not exist); a page the role may not open answers 403."""


import pytest
from django.urls import reverse

from gridgov.accounts.roles import Role
from gridgov.grids.tests.factories import UserFactory, staff
from gridgov.volunteers.models import SignupState, VolunteerState
from gridgov.volunteers.tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World.build()


@pytest.fixture
def elsewhere():
    """Another town's alliance office."""
    other = World.build()
    return other


def test_another_organisations_organiser_can_neither_roll_call_nor_decide(client, world):
    activity = world.activity()
    signup = world.signed_up(activity)
    applicant = world.volunteer(state=VolunteerState.APPLIED)
    client.force_login(world.other_organiser)
    assert client.get(reverse("volunteers:roll_call", args=[activity.pk])).status_code == 404
    assert client.post(reverse("volunteers:volunteer_act", args=[applicant.pk, "approve"])
                       ).status_code == 404
    assert client.post(reverse("volunteers:signup_act", args=[signup.pk, "mark_absent"])
                       ).status_code == 404
    assert client.post(reverse("volunteers:activity_cancel", args=[activity.pk]),
                       {"reason": "不想办了"}).status_code == 404
    assert client.post(f"/api/volunteers/activities/{activity.pk}/cancel", {"reason": "不想办了"},
                       content_type="application/json").status_code == 404
    response = client.post(f"/api/volunteers/signups/{signup.pk}/actions/mark_present",
                           {}, content_type="application/json")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"
    assert client.get(f"/api/volunteers/activities/{activity.pk}/qr-token").status_code == 404
    assert client.get(f"/api/volunteers/activities/{activity.pk}/signups").status_code == 404
    assert applicant.pk not in [v["id"] for v in client.get("/api/volunteers/volunteers").json()]
    applicant.refresh_from_db()
    assert applicant.state == VolunteerState.APPLIED


def test_another_towns_office_sees_none_of_this_towns_volunteers(client, world, elsewhere):
    activity = world.activity()
    signup = world.signed_up(activity)
    with_hours_at = activity.starts_at
    client.force_login(elsewhere.office)
    assert client.get(reverse("volunteers:roll_call", args=[activity.pk])).status_code == 404
    assert client.get(reverse("volunteers:certificate", args=[signup.volunteer_id])
                      ).status_code == 404
    assert client.get(f"/api/volunteers/volunteers/{signup.volunteer_id}/hours").status_code == 404
    assert client.get("/api/volunteers/volunteers").json() == []
    ledger = client.get("/api/volunteers/hours", {"year": with_hours_at.year}).json()
    assert ledger["count"] == 0
    assert with_hours_at  # the other town's figures are its own


def test_a_plain_resident_opens_no_organisers_page(client, world):
    activity = world.activity()
    resident = UserFactory()
    client.force_login(resident)
    for name, args in (("manage", []), ("activity_new", []), ("stats", []),
                       ("roll_call", [activity.pk]), ("ledger", []), ("export_hours", [])):
        assert client.get(reverse(f"volunteers:{name}", args=args)).status_code == 403, name
    for path in ("/api/volunteers/volunteers", "/api/volunteers/hours"):
        response = client.get(path)
        assert response.status_code == 403 and response.json()["errors"][0]["code"] == "forbidden"
    response = client.post("/api/volunteers/activities", {
        "organisation_id": world.org.pk, "project_id": world.project.pk, "grid_id": world.grid.pk,
        "title": "想发布", "place_name": "某处", "capacity": 5,
        "starts_at": (activity.starts_at).isoformat(), "ends_at": activity.ends_at.isoformat()},
        content_type="application/json")
    assert response.status_code == 403


def test_signed_out_visitors_read_the_calendar_but_nothing_personal(client, world):
    activity = world.activity()
    world.signed_up(activity)
    assert client.get(reverse("volunteers:calendar")).status_code == 200
    assert client.get(reverse("volunteers:activity", args=[activity.pk])).status_code == 200
    assert client.get("/api/volunteers/activities").status_code == 200
    assert client.get(reverse("volunteers:me")).status_code == 302
    assert client.get(f"/api/volunteers/activities/{activity.pk}/signups").status_code == 401


def test_a_volunteer_reads_and_moves_only_their_own(client, world):
    activity = world.activity()
    mine, theirs = world.signed_up(activity), world.signed_up(activity)
    client.force_login(mine.volunteer.user)
    assert client.get(reverse("volunteers:certificate", args=[theirs.volunteer_id])
                      ).status_code == 404
    assert client.get(f"/api/volunteers/volunteers/{theirs.volunteer_id}/hours").status_code == 404
    assert client.post(reverse("volunteers:signup_act", args=[theirs.pk, "cancel"])
                       ).status_code == 404
    assert client.post(f"/api/volunteers/signups/{theirs.pk}/actions/cancel", {},
                       content_type="application/json").status_code == 404
    assert client.post(f"/api/volunteers/volunteers/{theirs.volunteer_id}/actions/withdraw", {},
                       content_type="application/json").status_code == 404
    assert client.get(f"/api/volunteers/activities/{activity.pk}/signups").status_code == 404
    # Their own roll-call moves are the organiser's, not theirs.
    response = client.post(f"/api/volunteers/signups/{mine.pk}/actions/mark_absent", {},
                           content_type="application/json")
    assert response.status_code in (403, 409)
    theirs.refresh_from_db()
    assert theirs.state == SignupState.CONFIRMED
    own = client.get("/api/volunteers/me").json()
    assert [v["id"] for v in own] == [mine.volunteer_id]


def test_the_organiser_and_the_office_may(client, world):
    activity = world.activity()
    signup = world.signed_up(activity)
    for user in (world.organiser, world.office):
        client.force_login(user)
        assert client.get(reverse("volunteers:roll_call", args=[activity.pk])).status_code == 200
        signups = client.get(f"/api/volunteers/activities/{activity.pk}/signups").json()
        assert [s["id"] for s in signups] == [signup.pk]
        assert "*" in signups[0]["volunteer"]


def test_a_grid_staff_member_is_no_organiser(client, world):
    activity = world.activity()
    client.force_login(staff(Role.GRID_STAFF, world.grid))
    assert client.get(reverse("volunteers:roll_call", args=[activity.pk])).status_code == 403




def test_an_organiser_sees_a_full_phone_number_only_of_their_volunteers_and_it_is_audited(
        client, world):
    from gridgov.core.models import AuditEntry

    volunteer = world.volunteer()
    client.force_login(world.other_organiser)
    assert client.post(reverse("volunteers:reveal_phone", args=[volunteer.pk])).status_code == 404
    assert client.get(reverse("volunteers:reveal_phone", args=[volunteer.pk])).status_code == 405
    client.force_login(world.organiser)
    response = client.post(reverse("volunteers:reveal_phone", args=[volunteer.pk]))
    assert volunteer.phone in response.content.decode()
    entry = AuditEntry.objects.get(action="core.pii.revealed")
    assert (entry.actor_id, entry.object_id, entry.changes) == (
        world.organiser.pk, str(volunteer.pk), {"field": "phone"})


def test_a_volunteer_withdraws_from_their_own_page_but_decides_nothing_else(client, world):
    mine, other = world.volunteer(), world.volunteer(state=VolunteerState.APPLIED)
    client.force_login(mine.user)
    assert client.post(reverse("volunteers:volunteer_act", args=[other.pk, "approve"])
                       ).status_code == 403
    assert client.post(reverse("volunteers:volunteer_act", args=[mine.pk, "approve"])
                       ).status_code == 302
    mine.refresh_from_db()
    assert mine.state == VolunteerState.APPROVED
    assert "data-action=\"withdraw\"" in client.get(reverse("volunteers:me")).content.decode()
    client.post(reverse("volunteers:volunteer_act", args=[mine.pk, "withdraw"]))
    mine.refresh_from_db()
    assert mine.state == VolunteerState.WITHDRAWN
