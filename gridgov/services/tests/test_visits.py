"""The visiting team: idempotent records, scope from the refused side, follow-ups that become
applications and cases linked both ways, coverage of visits, the offline page."""

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.cases.models import Case, Source
from gridgov.cases.tests.factories import photo
from gridgov.core.errors import Refusal
from gridgov.core.models import Notice
from gridgov.services import coverage, visits
from gridgov.services.models import (
    Application,
    NeedState,
    ServiceItem,
    VisitNeed,
    VisitPhoto,
    VisitRecord,
)
from gridgov.services.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(world):
    return OrganisationFactory(town=world.town, grid=world.grid_a1, building=world.building,
                               name="示例配送站")


def visit(world, org, *, actor=None, key=None, needs=("骑手缺少休息点",), **extra):
    return visits.submit_visit(actor=actor or world.grid_staff, key=key or uuid.uuid4(),
                               visited_on=timezone.localdate(), visitors="网格员甲",
                               organisation=org, needs=needs, **extra)


def test_a_record_sent_twice_is_stored_once(world, org):
    key = uuid.uuid4()
    first, created = visit(world, org, key=key)
    again, created_again = visit(world, org, key=key)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert VisitRecord.objects.count() == 1 and VisitNeed.objects.count() == 1


def test_a_key_someone_else_used_is_refused(world, org):
    key = uuid.uuid4()
    visit(world, org, key=key)
    with pytest.raises(Refusal) as refused:
        visit(world, org, key=key, actor=world.operator)
    assert refused.value.code == "duplicate_key"


@pytest.mark.parametrize("who", ["resident", "grid_staff_b", "other_grid_staff", "handler",
                                 "deputy"])
def test_visits_outside_the_team_s_scope_are_refused(world, org, who):
    with pytest.raises(Refusal) as refused:
        visit(world, org, actor=getattr(world, who))
    assert refused.value.code == "forbidden"
    assert not VisitRecord.objects.exists()


def test_bad_dates_and_too_many_needs_write_nothing(world, org):
    with pytest.raises(Refusal):
        visits.submit_visit(actor=world.grid_staff, key=uuid.uuid4(),
                            visited_on=timezone.localdate() + dt.timedelta(days=1),
                            visitors="甲", organisation=org)
    with pytest.raises(Refusal):
        visit(world, org, needs=[f"诉求{i}" for i in range(11)])
    assert not VisitRecord.objects.exists()


def test_photos_are_stored_without_metadata(world, org):
    record, _ = visit(world, org, photos=[photo(gps=True)])
    assert VisitPhoto.objects.filter(record=record).count() == 1


def test_a_need_becomes_an_application_linked_both_ways(world, org):
    record, _ = visit(world, org)
    need = record.needs.get()
    item = ServiceItem.objects.get(town=world.town, name="骑手驿站休息")
    application = visits.follow_up_as_application(
        need, actor=world.grid_staff, item=item, contact_name="站长李", contact_phone="13900001111")
    need.refresh_from_db()
    assert need.state == NeedState.APPLICATION and need.application == application
    assert application.need == need
    assert application.applicant is None and application.organisation == org
    assert application.organisation_name == "示例配送站"
    assert application.grid == world.grid_a1
    # Told by the phone given, as they have no account.
    told = Notice.objects.filter(user=None, kind="services.application.applied")
    assert [n.address for n in told] == ["13900001111"] * told.count() and told.exists()
    with pytest.raises(Refusal) as twice:
        visits.follow_up_as_application(need, actor=world.grid_staff, item=item,
                                        contact_name="站长李", contact_phone="13900001111")
    assert twice.value.code == "illegal_transition"
    assert Application.objects.count() == 1
    assert need.solved is False  # until the application is done


def test_a_need_becomes_a_case_linked_both_ways(world, org):
    record, _ = visit(world, org)
    need = record.needs.get()
    case = visits.follow_up_as_case(need, actor=world.operator, category=world.category)
    need.refresh_from_db()
    assert need.case == case and need.state == NeedState.CASE
    assert (case.origin_type, case.origin_id) == ("services.visitneed", str(need.pk))
    assert visits.need_of_case(case) == need
    assert case.source == Source.VISIT and case.grid == world.grid_a1
    assert "骑手缺少休息点" in case.description


def test_grid_staff_file_a_visit_s_case_as_their_patrol_find(world, org):
    record, _ = visit(world, org)
    case = visits.follow_up_as_case(record.needs.get(), actor=world.grid_staff,
                                    category=world.category)
    assert case.source == Source.PATROL


def test_follow_ups_are_refused_outside_the_team_and_without_a_position(world):
    lonely = OrganisationFactory(town=world.town, grid=world.grid_a1, building=None)
    record, _ = visit(world, lonely)
    need = record.needs.get()
    for outsider in (world.grid_staff_b, world.other_operator, world.resident):
        with pytest.raises(Refusal) as refused:
            visits.follow_up_as_case(need, actor=outsider, category=world.category)
        assert refused.value.code == "forbidden"
    with pytest.raises(Refusal) as nowhere:
        visits.follow_up_as_case(need, actor=world.operator, category=world.category)
    assert nowhere.value.code == "no_position"
    assert not Case.objects.exists()
    need.refresh_from_db()
    assert need.state == NeedState.OPEN


def test_visit_coverage_against_hand_counted_figures(world, org):
    today = timezone.localdate()
    second = OrganisationFactory(town=world.town, grid=world.grid_a1, name="示例二号")
    OrganisationFactory(town=world.town, grid=world.grid_a2, name="示例三号")  # never visited
    OrganisationFactory(town=world.other_town, name="外镇企业")  # not in scope
    visit(world, org)
    visit(world, org)
    visits.submit_visit(actor=world.grid_staff, key=uuid.uuid4(),
                        visited_on=today - dt.timedelta(days=100), visitors="甲",
                        organisation=second)
    rows = coverage.visited_organisations(world.operator, today - dt.timedelta(days=29), today)
    counts = {o.name: o.visits for o in rows}
    assert counts == {"示例配送站": 2, "示例二号": 0, "示例三号": 0}
    assert coverage.visit_summary(rows) == {"total": 3, "visited": 1, "ever": 2, "never": 1,
                                            "rate": round(1 / 3, 4)}


def test_the_offline_form_and_its_service_worker(client, world, org):
    client.force_login(world.grid_staff)
    page = client.get(reverse("services:visit_new"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "visit-offline.js" in html and "<script>" not in html
    worker = client.get(reverse("services:visit_sw"))
    assert worker["Content-Type"].startswith("text/javascript")
    key = str(uuid.uuid4())
    data = {"key": key, "organisation": org.pk, "visited_on": timezone.localdate().isoformat(),
            "visitors": "网格员甲", "needs": "需要充电桩\n需要休息点"}
    first = client.post(reverse("services:visit_new"), data, HTTP_ACCEPT="application/json")
    again = client.post(reverse("services:visit_new"), data, HTTP_ACCEPT="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert VisitNeed.objects.count() == 2
    client.force_login(world.resident)
    assert client.get(reverse("services:visit_new")).status_code == 403


def test_the_team_page_and_a_record_s_follow_up_page(client, world, org):
    record, _ = visit(world, org)
    client.force_login(world.grid_staff)
    assert "骑手缺少休息点" in client.get(reverse("services:visits")).content.decode()
    need = record.needs.get()
    item = ServiceItem.objects.get(town=world.town, name="骑手驿站休息")
    response = client.post(reverse("services:follow_up", args=[need.pk, "application"]), {
        f"a{need.pk}-item": item.pk, f"a{need.pk}-contact_name": "李",
        f"a{need.pk}-contact_phone": "13900001111"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.application is not None
    client.force_login(world.grid_staff_b)
    assert client.get(reverse("services:visit", args=[record.pk])).status_code == 404


def test_api_visits_are_idempotent_and_follow_ups_structured(client, world, org):
    client.force_login(world.grid_staff)
    body = {"key": str(uuid.uuid4()), "visited_on": timezone.localdate().isoformat(),
            "visitors": "甲", "organisation": org.pk, "needs": ["井盖松动"]}
    first = client.post("/api/services/visits", json.dumps(body), content_type="application/json")
    again = client.post("/api/services/visits", json.dumps(body), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    need_id = first.json()["needs"][0]["id"]
    bad = client.post(f"/api/services/visits/needs/{need_id}/follow-up",
                      json.dumps({"to": "case"}), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "category"
    ok = client.post(f"/api/services/visits/needs/{need_id}/follow-up",
                     json.dumps({"to": "case", "category": world.category.pk}),
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["case_id"]
    client.force_login(world.resident)
    assert client.post("/api/services/visits", json.dumps(body),
                       content_type="application/json").status_code == 403


def test_home_page_to_dos_of_the_team_and_of_an_applicant(client, world, org):
    visit(world, org)
    client.force_login(world.grid_staff)
    todos = {t.label: t.count for t in client.get("/").context["todos"]}
    assert todos["待跟进的走访诉求"] == 1
    client.force_login(world.grid_staff_b)  # another community's staff: not theirs
    todos = {t.label: t.count for t in client.get("/").context["todos"]}
    assert todos["待跟进的走访诉求"] == 0
    world.apply()
    client.force_login(world.rider)
    todos = {t.label: t.count for t in client.get("/").context["todos"]}
    assert todos["我的服务申请"] == 1


def test_planners_make_plans_and_the_team_cannot(client, world, org):
    client.force_login(world.grid_staff)
    assert client.get(reverse("services:plan_new")).status_code == 403
    with pytest.raises(Refusal) as refused:
        visits.create_plan(actor=world.grid_staff, town=world.town, title="计划",
                           due_on=timezone.localdate())
    assert refused.value.code == "forbidden"
    client.force_login(world.party_affairs)
    today = timezone.localdate()
    response = client.post(reverse("services:plan_new"), {
        "title": "“四百”走访", "starts_on": today.isoformat(),
        "due_on": (today - dt.timedelta(days=1)).isoformat(), "visitors": [world.grid_staff.pk],
        "organisations": [org.pk]})
    assert response.status_code == 200 and "完成期限不能早于开始日期" in response.content.decode()
    response = client.post(reverse("services:plan_new"), {
        "title": "“四百”走访", "starts_on": today.isoformat(),
        "due_on": (today + dt.timedelta(days=10)).isoformat(), "visitors": [world.grid_staff.pk],
        "organisations": [org.pk]})
    assert response.status_code == 302
    client.force_login(world.grid_staff)
    todos = {t.label: t.count for t in client.get("/").context["todos"]}
    assert todos["我的走访计划"] == 1
