"""The pages and the API doing the journey: apply, sign up, check in and out by the QR code,
see the hours; the certificate's figures are the ledger's; the export has the city system's
columns, masked unless asked for in full (audited); to-dos count what waits."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from gridgov.core.models import AuditEntry
from gridgov.grids.tests.factories import UserFactory
from gridgov.volunteers import actions, ledger, tokens
from gridgov.volunteers.models import Signup, SignupState, Volunteer, VolunteerState
from gridgov.volunteers.pages import todos
from gridgov.volunteers.tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World.build()


def attended(world, activity, minutes, volunteer=None):
    signup = world.signed_up(activity, volunteer)
    with time_machine.travel(activity.starts_at, tick=False):
        actions.act(signup, "mark_present", actor=world.organiser)
    with time_machine.travel(activity.starts_at + dt.timedelta(minutes=minutes), tick=False):
        return actions.act(signup, "mark_left", actor=world.organiser)


def test_the_api_journey_with_structured_errors(client, world):
    activity = world.activity(capacity=1, waitlist_limit=0)
    user = UserFactory()
    client.force_login(user)
    response = client.post("/api/volunteers/volunteers", {
        "organisation_id": world.org.pk, "name": "赵志愿", "phone": "13912340000",
        "birth_date": "1990-01-01", "availability": ["weekend_day"]},
        content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "applied" and body["phone"] == "139****0000"
    response = client.post(f"/api/volunteers/activities/{activity.pk}/signups")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "not_approved"
    actions.act_on_volunteer(Volunteer.objects.get(pk=body["id"]), "approve",
                             actor=world.organiser)
    response = client.post(f"/api/volunteers/activities/{activity.pk}/signups")
    assert response.status_code == 201 and response.json()["state"] == "confirmed"
    signup_id = response.json()["id"]
    assert "cancel" in response.json()["allowed_actions"]
    client.force_login(world.volunteer().user)
    response = client.post(f"/api/volunteers/activities/{activity.pk}/signups")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": "", "code": "full",
                                           "message": "名额和候补均已满"}]}
    client.force_login(user)
    with time_machine.travel(activity.starts_at - dt.timedelta(minutes=5), tick=False):
        response = client.post("/api/volunteers/attendance",
                               {"token": tokens.make(activity.pk, "in")},
                               content_type="application/json")
        assert response.status_code == 200 and response.json()["state"] == "checked_in"
    with time_machine.travel(activity.starts_at + dt.timedelta(minutes=70), tick=False):
        response = client.post(f"/api/volunteers/signups/{signup_id}/actions/check_out",
                               {"token": tokens.make(activity.pk, "out")},
                               content_type="application/json")
        assert response.status_code == 200 and response.json()["minutes"] == 70
        response = client.post(f"/api/volunteers/signups/{signup_id}/actions/check_out",
                               {"token": tokens.make(activity.pk, "out")},
                               content_type="application/json")
        assert response.status_code == 409
    hours = client.get(f"/api/volunteers/volunteers/{body['id']}/hours").json()
    assert hours["minutes"] == 70 and hours["services"] == 1


def test_bad_query_parameters_and_junk_are_refused_never_a_500(client, world):
    client.force_login(world.office)
    assert client.get("/api/volunteers/hours", {"after": "9" * 50}).status_code == 422
    response = client.get("/api/volunteers/hours", {"after": "1.2"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "after"
    assert client.get("/api/volunteers/activities", {"limit": "9999"}).status_code == 422
    assert client.get(reverse("volunteers:ledger"), {"after": "x" * 50, "year": "abc"}
                      ).status_code == 200
    assert client.get(reverse("volunteers:calendar"), {"grid": "-1"}).status_code == 200
    response = client.post("/api/volunteers/attendance", {"token": "junk"},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "token"
    assert client.get("/volunteers/scan/junk/").status_code == 400


def test_the_certificate_shows_the_ledgers_figures(client, world):
    volunteer = world.volunteer()
    for minutes in (60, 45):
        attended(world, world.activity(), minutes, volunteer)
    volunteer.refresh_from_db()
    figures = ledger.volunteer_totals(volunteer)
    counted = sum(Signup.objects.filter(volunteer=volunteer).values_list("minutes", flat=True))
    assert figures["minutes"] == volunteer.total_minutes == counted == 105
    assert sum(y["minutes"] for y in figures["years"]) == 105
    assert sum(p["minutes"] for p in figures["projects"]) == 105
    client.force_login(volunteer.user)
    html = client.get(reverse("volunteers:certificate", args=[volunteer.pk])).content.decode()
    assert 'id="certificate-hours">1.8<' in html and "2 次" in html
    response = client.get(reverse("volunteers:certificate", args=[volunteer.pk]),
                          {"format": "docx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "累计服务时长 1.8 小时" in text and "参加志愿服务 2 次" in text
    assert AuditEntry.objects.filter(action="volunteers.certificate.issued").count() == 2


def test_the_export_has_the_city_systems_columns_masked_unless_asked_in_full(client, world):
    signup = attended(world, world.activity(), 90)
    volunteer = signup.volunteer
    client.force_login(world.office)
    year = signup.activity.starts_at.year
    response = client.get(reverse("volunteers:export_hours"), {"year": year})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:5] == ["序号", "志愿者姓名", "证件类型", "证件号码", "手机号码"]
    assert rows[1][9] == "1.5" and volunteer.phone not in rows[1] and "*" in rows[1][4]
    response = client.get(reverse("volunteers:export_hours"), {"year": year, "full": "1"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][4] == volunteer.phone and rows[1][1] == volunteer.name
    entries = AuditEntry.objects.filter(action="volunteers.hours.exported").order_by("id")
    assert [e.changes["full"] for e in entries] == [False, True]


def test_the_ledger_page_ranks_by_hours(client, world):
    attended(world, world.activity(), 30)
    top = attended(world, world.activity(), 120)
    client.force_login(world.office)
    response = client.get(reverse("volunteers:ledger"), {"year": top.activity.starts_at.year})
    rows = response.context["rows"]
    assert [r["pk"] for r in rows][0] == top.volunteer_id and rows[0]["hours"] == 2.0
    assert "*" in rows[0]["name"]
    assert response.context["by_project"][0]["minutes"] == 150


def test_the_roll_call_page_shows_a_qr_code_that_checks_in(client, world):
    activity = world.activity()
    signup = world.signed_up(activity)
    client.force_login(world.organiser)
    with time_machine.travel(activity.starts_at, tick=False):
        html = client.get(reverse("volunteers:roll_call", args=[activity.pk])).content.decode()
        assert "<svg" in html and signup.volunteer.phone not in html
        scan_url = html.split('data-url="', 1)[1].split('"', 1)[0]
        client.force_login(signup.volunteer.user)
        assert client.get(scan_url).status_code == 200
        assert client.post(scan_url).status_code == 302
    signup.refresh_from_db()
    assert signup.state == SignupState.CHECKED_IN


def test_joining_from_the_page_and_being_approved_there(client, world):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("volunteers:join"), {
        "name": "孙悦", "phone": "13912349999", "birth_date": "1995-07-08",
        "organisation": world.org.pk, "availability": ["weekday_evening"]})
    assert response.status_code == 302, response.context["form"].errors
    volunteer = Volunteer.objects.get(user=user)
    response = client.post(reverse("volunteers:join"), {
        "name": "孙悦", "phone": "123", "birth_date": "1995-07-08", "organisation": world.org.pk})
    assert response.status_code == 200 and "请填写11位手机号" in response.content.decode()
    client.force_login(world.organiser)
    assert [(t.label, t.count) for t in todos(world.organiser, set())] == [("待审核的志愿者申请", 1)]
    home = client.get("/").content.decode()
    assert "待审核的志愿者申请" in home
    client.post(reverse("volunteers:volunteer_act", args=[volunteer.pk, "approve"]))
    volunteer.refresh_from_db()
    assert volunteer.state == VolunteerState.APPROVED


def test_public_pages_and_statistics_render(client, world):
    activity = world.activity()
    attended(world, activity, 40)
    calendar = client.get(reverse("volunteers:calendar"))
    assert calendar.status_code == 200 and activity.title in calendar.content.decode()
    assert client.get(reverse("volunteers:project", args=[world.project.pk])).status_code == 200
    client.force_login(world.office)
    stats = client.get(reverse("volunteers:stats"), {"year": activity.starts_at.year})
    html = stats.content.decode()
    assert "/static/echarts/echarts.common.min.js" in html and 'id="volunteer-stats"' in html
    assert stats.context["by_project"][0]["minutes"] == 40


def test_the_ledger_pages_by_keyset_without_gaps_or_repeats(client, world, monkeypatch):
    monkeypatch.setattr(ledger, "PAGE_SIZE", 2)
    volunteers = [world.volunteer() for _ in range(5)]
    activity = world.activity(capacity=10)
    for minutes, volunteer in zip((30, 60, 60, 90, 10), volunteers):
        attended(world, activity, minutes, volunteer)
    client.force_login(world.office)
    seen, after = [], ""
    for _ in range(5):
        body = client.get("/api/volunteers/hours", {"year": activity.starts_at.year,
                                                     "after": after}).json()
        seen += [(row["minutes"], row["volunteer_id"]) for row in body["volunteers"]]
        after = body["next"]
        if not after:
            break
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 5
    assert body["count"] == 5
    page = client.get(reverse("volunteers:ledger"),
                      {"year": "all", "after": f"{seen[1][0]}.{seen[1][1]}.2"})
    assert [r["pk"] for r in page.context["rows"]] == [seen[2][1], seen[3][1]]
    assert page.context["offset"] == 2


def test_a_move_never_redirects_off_the_platform(client, world):
    activity = world.activity()
    signup = world.signed_up(activity)
    client.force_login(signup.volunteer.user)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = client.post(reverse("volunteers:signup_act", args=[signup.pk, "cancel"]),
                               {"next": target})
        assert response["Location"] == reverse("volunteers:me"), target


def test_the_openapi_description_covers_the_alliance_with_the_declared_inputs(client):
    schema = client.get("/api/openapi.json").json()
    paths = {path for path in schema["paths"] if path.startswith("/api/volunteers/")}
    assert {"/api/volunteers/activities", "/api/volunteers/volunteers", "/api/volunteers/attendance",
            "/api/volunteers/signups/{signup_id}/actions/{action}", "/api/volunteers/hours",
            "/api/volunteers/activities/{activity_id}/cancel"} <= paths
    components = schema["components"]["schemas"]
    assert components["SignupActionIn"]["properties"]["minutes"]["maximum"] == 24 * 60
    assert components["ActivityIn"]["properties"]["capacity"]["maximum"] == 500
    assert {"name", "phone", "id_number", "birth_date", "guardian_name", "guardian_phone"} <= set(
        components["ApplyIn"]["properties"])
