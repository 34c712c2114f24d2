"""The cases REST API (/api/cases/): answers, refusals (401/403/404/409/422 and their shape), scope,
query counts, and the offline docs page."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.cases.models import Case, CaseEvent, State
from gridgov.cases.tests.factories import CaseFactory, photo
from gridgov.grids.tests.factories import centre

pytestmark = pytest.mark.django_db
API = "/api/cases/"


def as_user(client, user):
    client.force_login(user)
    return client


def only_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    [error] = response.json()["errors"]
    assert set(error) == {"field", "code", "message"}
    return error


def report_fields(world, **extra) -> dict:
    lon, lat = centre(world.grid_a1.boundary)
    return {"category": world.category.pk, "description": "路口有人占道摆摊", "longitude": lon,
            "latitude": lat, "address": "示例路1号", **extra}


class TestList:
    def test_needs_a_signed_in_user(self, client):
        assert only_error(client.get(API), 401)["code"] == "unauthenticated"

    def test_each_user_sees_the_cases_in_scope(self, client, world):
        own = world.report()
        other = world.report(world.other_grid_staff, grid=world.other_grid)
        numbers = lambda user: {c["number"] for c in as_user(client, user).get(API).json()["items"]}
        assert numbers(world.leader) == {own.number}
        assert numbers(world.other_operator) == {other.number}
        assert numbers(world.resident) == {own.number}  # the one they reported
        assert numbers(world.handler) == set()  # nothing dispatched to the department yet

    def test_filters(self, client, world):
        registered = world.walk(world.report(), State.REGISTERED)
        in_b = world.report(grid=world.grid_b1, description="井盖丢了一只")
        client = as_user(client, world.operator)
        numbers = lambda **params: {c["number"] for c in client.get(API, params).json()["items"]}
        assert numbers(state="registered") == {registered.number}
        assert numbers(community=world.community_b.pk) == {in_b.number}
        assert numbers(grid=world.grid_b1.pk) == {in_b.number}
        assert numbers(q="井盖") == {in_b.number}
        today = timezone.localdate()
        assert numbers(date_from=today, date_to=today) == {registered.number, in_b.number}
        assert numbers(date_to=today - dt.timedelta(days=1)) == set()
        Case.objects.filter(pk=registered.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
        assert numbers(overdue="true") == {registered.number}

    def test_bad_filters_are_422_with_the_field(self, client, world):
        client = as_user(client, world.operator)
        assert only_error(client.get(API, {"state": "nonsense"}), 422)["field"] == "state"
        assert only_error(client.get(API, {"page_size": 101}), 422)["field"] == "page_size"
        today = timezone.localdate()
        error = only_error(client.get(API, {"date_from": today, "date_to": today - dt.timedelta(1)}),
                           400)
        assert error["code"] == "bad_period"

    def test_pages_follow_the_cursor(self, client, world):
        cases = CaseFactory.create_batch(5, grid=world.grid_a1, category=world.category)
        client = as_user(client, world.leader)
        first = client.get(API, {"page_size": 3}).json()
        second = client.get(API, {"page_size": 3, "cursor": first["next_cursor"]}).json()
        seen = [c["id"] for c in first["items"] + second["items"]]
        assert sorted(seen) == sorted(c.pk for c in cases) and len(set(seen)) == 5
        assert second["next_cursor"] == ""

    @pytest.mark.parametrize("rows", [2, 30])
    def test_queries_do_not_grow_with_rows(self, client, world, rows, django_assert_max_num_queries):
        CaseFactory.create_batch(rows, grid=world.grid_a1, category=world.category,
                                 department=world.enforcement)
        client = as_user(client, world.leader)
        with django_assert_max_num_queries(6):
            response = client.get(API, {"page_size": 50})
        assert len(response.json()["items"]) == rows


class TestDetail:
    def test_personal_data_is_masked(self, client, world):
        case = world.report(reporter_name="欧阳晓明", reporter_phone="13912345678")
        body = as_user(client, world.operator).get(f"{API}{case.pk}").json()
        assert body["reporter_name"] == "欧**明" and body["reporter_phone"] == "139****5678"
        assert "13912345678" not in str(body)
        assert [e["action"] for e in body["events"]] == ["report"]
        assert {a["action"] for a in body["allowed_actions"]} >= {"register", "reject"}

    def test_out_of_scope_is_404_like_a_missing_case(self, client, world):
        case = world.report()
        assert only_error(as_user(client, world.other_operator).get(f"{API}{case.pk}"), 404)[
            "code"] == "not_found"
        assert only_error(client.get(f"{API}{case.pk + 1000}"), 404)["code"] == "not_found"

    def test_allowed_actions_per_user(self, client, world):
        case = world.report()
        actions = lambda user: [a["action"] for a in
                                as_user(client, user).get(f"{API}{case.pk}/actions").json()]
        assert "register" in actions(world.operator)
        assert actions(world.leader) == []


class TestReport:
    def test_anonymous_report_gets_a_tracking_code(self, client, world):
        response = client.post(API, {**report_fields(world), "is_anonymous": "true"})
        assert response.status_code == 201
        body = response.json()
        case = Case.objects.get(pk=body["id"])
        assert body["tracking_code"] == case.tracking_code and case.reporter is None
        assert case.grid == world.grid_a1 and case.state == State.REPORTED

    def test_signed_in_resident_with_photos(self, client, world):
        client = as_user(client, world.resident)
        response = client.post(API, {**report_fields(world), "photos": [photo("a.jpg"),
                                                                          photo("b.png", kind="PNG")]})
        assert response.status_code == 201
        case = Case.objects.get(pk=response.json()["id"])
        assert case.reporter == world.resident and case.photos.count() == 2

    def test_refusals_name_the_field(self, client, world):
        assert only_error(client.post(API, report_fields(world, category=999999)), 400)[
            "field"] == "category"
        fields = report_fields(world)
        del fields["description"]
        assert only_error(client.post(API, fields), 400)["field"] == "description"
        assert only_error(client.post(API, report_fields(world, longitude=500)), 400)[
            "field"] == "longitude"
        error = only_error(as_user(client, world.resident).post(
            API, report_fields(world, source="patrol")), 403)
        assert error["code"] == "forbidden" and error["field"] == "source"
        too_many = [photo(f"{n}.jpg") for n in range(10)]
        assert only_error(client.post(API, {**report_fields(world), "photos": too_many}), 400)[
            "code"] == "too_many_photos"
        assert not Case.objects.exists()

    def test_a_signed_in_caller_needs_the_csrf_token(self, world):
        signed_in = Client(enforce_csrf_checks=True)
        signed_in.force_login(world.resident)
        assert only_error(signed_in.post(API, report_fields(world)), 403)["code"] == "error"
        anonymous = Client(enforce_csrf_checks=True)
        assert anonymous.post(API, report_fields(world)).status_code == 201


class TestActions:
    def url(self, case, action):
        return f"{API}{case.pk}/actions/{action}"

    def test_operator_registers_and_dispatches(self, client, world):
        case = world.report()
        client = as_user(client, world.operator)
        body = client.post(self.url(case, "register"), {"note": "属实"}).json()
        assert body["case"]["state"] == "registered" and body["event"]["action"] == "register"
        assert body["case"]["due_at"] is not None
        body = client.post(self.url(case, "dispatch"), {"department": world.market.pk}).json()
        assert body["case"]["department"] == "示例市场监管所"
        assert CaseEvent.objects.filter(case=case).count() == 3

    def test_handler_finishes_with_after_photos(self, client, world):
        case = world.walk(world.report(), State.HANDLING)
        client = as_user(client, world.handler)
        assert only_error(client.post(self.url(case, "handle"), {}), 400)["field"] == "after_photos"
        response = client.post(self.url(case, "handle"), {"after_photos": [photo("after.jpg")]})
        assert response.json()["case"]["state"] == "handled"
        assert [p["phase"] for p in response.json()["case"]["photos"]] == ["after"]

    def test_lists_and_numbers_reach_the_workflow(self, client, world):
        case = world.walk(world.report(), State.HANDLING)
        operator = as_user(Client(), world.operator)
        body = operator.post(self.url(case, "escalate"), {
            "note": "需要市场监管所协同", "departments": [world.market.pk, world.property_a.pk]}).json()
        assert body["event"]["action"] == "escalate" and body["case"]["state"] == "handling"
        assert set(case.participants.values_list("department_id", flat=True)) == {
            world.market.pk, world.property_a.pk}
        handler = as_user(client, world.handler)
        assert only_error(handler.post(self.url(case, "request_extension"), {
            "note": "材料未到", "working_days": 99}), 400)["field"] == "working_days"
        handler.post(self.url(case, "request_extension"), {"note": "材料未到", "working_days": 3})
        assert case.extension_requests.get().working_days == 3

    def test_refusals(self, client, world):
        case = world.report()
        handler = as_user(Client(), world.handler)
        # The handler cannot see a case not dispatched to it: 404, not 403.
        assert only_error(handler.post(self.url(case, "register")), 404)["code"] == "not_found"
        leader = as_user(Client(), world.leader)
        assert only_error(leader.post(self.url(case, "register")), 403)["code"] == "forbidden"
        operator = as_user(client, world.operator)
        assert only_error(operator.post(self.url(case, "reject")), 400) == {
            "field": "note", "code": "required", "message": "请填写说明"}
        assert only_error(operator.post(self.url(case, "fly")), 400)["code"] == "unknown_action"
        assert only_error(operator.post(self.url(case, "close")), 409)["code"] == \
            "illegal_transition"
        assert only_error(operator.post(self.url(case, "dispatch"), {"department": "x"}), 422)[
            "field"] == "department"
        other = as_user(Client(), world.other_operator)
        assert only_error(other.post(self.url(case, "register")), 404)["code"] == "not_found"
        assert only_error(Client().post(self.url(case, "register")), 401)["code"] == \
            "unauthenticated"
        case.refresh_from_db()
        assert case.state == State.REPORTED


class TestTrackAndRate:
    def test_tracking_shows_progress_without_people(self, client, world):
        case = world.report(reporter_name="欧阳晓明", reporter_phone="13912345678")
        body = client.get(f"{API}track/{case.tracking_code.lower()}").json()
        assert body["state"] == "reported" and body["can_rate"] is False
        assert "欧阳" not in str(body) and "5678" not in str(body)
        assert only_error(client.get(f"{API}track/NOSUCHCODE"), 404)["code"] == "not_found"

    def test_rating_after_closure(self, client, world):
        case = world.report()
        url = f"{API}track/{case.tracking_code}/rate"
        assert only_error(client.post(url, {"satisfaction": "satisfied"},
                                      content_type="application/json"), 409)["code"] == \
            "illegal_transition"
        world.walk(case, State.CLOSED)
        assert only_error(client.post(url, {"satisfaction": "unsatisfied"},
                                      content_type="application/json"), 400)["field"] == "reason"
        assert only_error(client.post(url, {"satisfaction": "great"},
                                      content_type="application/json"), 422)["field"] == \
            "satisfaction"
        body = client.post(url, {"satisfaction": "basically"}, content_type="application/json")
        assert body.json()["state"] == "evaluated" and body.json()["satisfaction"] == "basically"


def test_categories_are_public(client, world):
    [category] = client.get(f"{API}categories").json()
    assert category["code"] == "S0501" and category["name"] == "占道经营"


def test_openapi_and_docs_are_served_offline(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/cases/", "/api/cases/{case_id}/actions/{action}"} <= set(spec["paths"])
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert not re.search(r"(src|href)=\"https?://", page)
    assert '"validatorUrl": null' in page
