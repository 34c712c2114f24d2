"""The case loop on the platform core (issue 8): one overdue definition and a clock that stops
on merging, the rating of a merged case, one source policy, distinct role sets, a return that
answers 200, relations fresh after a move, the acting unit on the timeline, inputs declared once,
and the workflow's own signal."""

import datetime as dt

import pytest
from django.urls import reverse

from gridgov.indicators import rollup
from gridgov.cases.actions import act, allowed_actions
from gridgov.cases.forms import ActionForm, ReportForm
from gridgov.cases.models import Case, Source, State
from gridgov.cases.sweep import sweep_deadlines
from gridgov.cases.tests.factories import photo
from gridgov.cases.workflow import CASE_WORKFLOW, MAX_EXTENSION_DAYS, TRANSITIONS
from gridgov.core.workflow import WorkflowError, transitioned
from gridgov.grids.tests.factories import centre

pytestmark = pytest.mark.django_db
API = "/api/cases/"
TRANSITION = {t.action: t for t in TRANSITIONS}


def _merged_past_its_deadline(world):
    duplicate = world.walk(world.report(), State.REGISTERED)
    kept = world.walk(world.report(), State.REGISTERED)
    merged, _ = act(duplicate, "merge", actor=world.operator, into=kept)
    past = merged.due_at - dt.timedelta(days=30)
    Case.objects.filter(pk=merged.pk).update(due_at=past, warn_at=past)
    merged.refresh_from_db()
    return merged, kept


class TestOneOverdue:
    def test_a_merged_duplicate_past_its_old_deadline_is_overdue_nowhere(self, world, client):
        merged, _kept = _merged_past_its_deadline(world)
        now = merged.due_at + dt.timedelta(days=1)
        assert not merged.is_overdue(now)
        assert merged.deadline_light(now) == ""
        assert not Case.objects.overdue(now).filter(pk=merged.pk).exists()

        client.force_login(world.operator)
        page = client.get(reverse("cases:case_detail", args=[merged.pk]))
        assert "已超期" not in page.content.decode()
        assert client.get(f"{API}{merged.pk}").json()["deadline"] == ""
        overdue_queue = client.get(reverse("cases:workbench"), {"queue": "overdue"})
        assert merged.number not in overdue_queue.content.decode()
        assert sweep_deadlines(now)["overdue"] == 0

    def test_overdue_is_strictly_after_the_deadline_in_the_sweep_as_everywhere(self, world):
        case = world.walk(world.report(), State.REGISTERED)
        assert not case.is_overdue(case.due_at)
        assert sweep_deadlines(case.due_at)["overdue"] == 0
        assert not Case.objects.overdue(case.due_at).filter(pk=case.pk).exists()
        later = case.due_at + dt.timedelta(seconds=1)
        assert case.is_overdue(later) and case.deadline_light(later) == "red"
        assert sweep_deadlines(later)["overdue"] == 1
        assert sweep_deadlines(later)["overdue"] == 0  # announced once

    def test_the_indicators_do_not_count_a_merged_duplicate_overdue(self, world):
        merged, _kept = _merged_past_its_deadline(world)
        counted = rollup.cohorts(merged.due_at + dt.timedelta(days=1))["due_at"][1]
        counts = Case.objects.filter(pk=merged.pk).aggregate(
            **{f"n_{name}": count for name, count in counted.items()})
        assert counts["n_overdue"] == 0


class TestRatingAMergedCase:
    def test_the_duplicates_reporter_rates_the_case_they_follow(self, world, client):
        duplicate = world.report()
        kept = world.walk(world.report(), State.REGISTERED)
        act(duplicate, "merge", actor=world.operator, into=kept)
        world.walk(Case.objects.get(pk=kept.pk), State.CLOSED)

        page = client.get(reverse("cases:track_case", args=[duplicate.tracking_code]))
        assert page.context["can_rate"] is True
        answer = client.post(reverse("cases:rate", args=[duplicate.tracking_code]),
                             {"satisfaction": "satisfied"})
        assert answer.status_code == 302
        kept.refresh_from_db()
        assert (kept.state, kept.satisfaction) == (State.EVALUATED, "satisfied")
        tracked = client.get(f"{API}track/{duplicate.tracking_code}").json()
        assert tracked["can_rate"] is False and tracked["satisfaction"] == "satisfied"

    def test_the_api_offers_rating_by_the_duplicates_code_and_it_succeeds(self, world, client):
        duplicate = world.report()
        kept = world.walk(world.report(), State.REGISTERED)
        act(duplicate, "merge", actor=world.operator, into=kept)
        world.walk(Case.objects.get(pk=kept.pk), State.CLOSED)
        assert client.get(f"{API}track/{duplicate.tracking_code}").json()["can_rate"] is True
        rated = client.post(f"{API}track/{duplicate.tracking_code}/rate",
                            {"satisfaction": "basically"}, content_type="application/json")
        assert rated.status_code == 200, rated.content


class TestSourcePolicy:
    @pytest.mark.parametrize("who", ["handler", "leader", "resident", "admin"])
    def test_staff_sources_are_refused_to_whoever_may_not_use_them(self, world, client, who):
        client.force_login(getattr(world, who))
        lon, lat = centre(world.grid_a1.boundary)
        answer = client.post(API, {"category": world.category.pk, "description": "路口有人占道摆摊",
                                   "longitude": lon, "latitude": lat, "source": Source.HOTLINE})
        assert answer.status_code == 403, answer.content
        assert answer.json()["errors"][0]["field"] == "source"
        assert not Case.objects.exists()
        assert "source" not in ReportForm(user=getattr(world, who)).fields

    def test_the_operations_centre_files_a_hotline_case_and_the_form_offers_it(self, world):
        assert Source.HOTLINE in dict(ReportForm(user=world.operator).fields["source"].choices)
        case = world.report(world.operator, source=Source.HOTLINE)
        assert case.source == Source.HOTLINE

    def test_open311_is_a_source_only_the_adapter_uses(self, world):
        with pytest.raises(WorkflowError) as refused:
            world.report(world.operator, source=Source.OPEN311)
        assert (refused.value.code, refused.value.field) == ("forbidden", "source")


class TestRoleSets:
    def test_an_administrator_is_shown_no_bulk_dispatch_that_would_fail(self, world, client):
        world.walk(world.report(), State.REGISTERED)
        client.force_login(world.admin)
        page = client.get(reverse("cases:workbench"), {"queue": "dispatch"})
        assert page.context["bulk_form"] is None
        assert "dispatch" not in {queue.key for queue, _count in page.context["tabs"]}


class TestReturnAnswers:
    def test_a_return_that_takes_the_case_out_of_scope_answers_200(self, world, client):
        case = world.walk(world.report(), State.DISPATCHED)
        client.force_login(world.handler)
        answer = client.post(f"{API}{case.pk}/actions/return", {"note": "不属于本部门职责"})
        assert answer.status_code == 200, answer.content
        body = answer.json()
        assert body["case"] is None and body["event"]["action"] == "return"
        assert Case.objects.get(pk=case.pk).state == State.REGISTERED


class TestFreshRelations:
    def test_after_a_redispatch_the_callers_case_names_the_new_department(self, world):
        case = world.walk(world.report(), State.DISPATCHED)
        case = Case.objects.select_related("department").get(pk=case.pk)
        assert case.department == world.enforcement
        act(case, "dispatch", actor=world.operator, department=world.market.pk)
        assert case.department == world.market
        act(case, "accept", actor=world.market_handler)
        act(case, "return", actor=world.market_handler, note="不属于本部门职责")
        assert case.department is None


class TestActingUnit:
    def test_each_event_credits_the_unit_its_actor_acted_for(self, world, client):
        case = world.walk(world.report(), State.HANDLED)
        case, verified = act(case, "verify", actor=world.grid_staff)
        assert (verified.actor_unit_kind, verified.actor_unit) == ("grid", world.grid_a1.name)
        handled = case.events.get(action="handle")
        assert handled.actor_unit == world.enforcement.name
        registered = case.events.get(action="register")
        assert registered.actor_unit == world.town.name

        client.force_login(world.operator)
        page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
        timeline = page.split('id="timeline"')[1]
        verified_line = next(item for item in timeline.split("<li>")
                             if "<strong>核查通过</strong>" in item)
        assert world.grid_a1.name in verified_line
        assert world.enforcement.name not in verified_line


class TestInputsDeclaredOnce:
    def test_description_bounds_are_the_same_for_form_api_and_action(self, world, client):
        lon, lat = centre(world.grid_a1.boundary)
        fields = {"category": world.category.pk, "longitude": lon, "latitude": lat}
        for text in ("坑", "很" * 2001):
            form = ReportForm({**fields, "description": text}, user=world.resident)
            assert "description" in form.errors
            client.force_login(world.resident)
            assert client.post(API, {**fields, "description": text}).status_code == 400
            with pytest.raises(WorkflowError) as refused:
                world.report(description=text)
            assert refused.value.field == "description"
        assert ReportForm({**fields, "description": "很" * 2000}, user=world.resident).is_valid()

    def test_a_point_outside_china_is_refused_by_the_action_itself(self, world):
        with pytest.raises(WorkflowError) as refused:
            world.report(longitude=0.5, latitude=0.5)
        assert refused.value.field == "longitude"

    def test_extension_days_have_one_limit(self, world, client):
        case = world.walk(world.report(), State.HANDLING)
        form = ActionForm(TRANSITION["request_extension"], case, world.handler,
                          {"request_extension-working_days": MAX_EXTENSION_DAYS + 1,
                           "request_extension-note": "需协调"})
        assert "working_days" in form.errors
        assert form.fields["working_days"].max_value == MAX_EXTENSION_DAYS
        client.force_login(world.handler)
        answer = client.post(f"{API}{case.pk}/actions/request_extension",
                             {"working_days": MAX_EXTENSION_DAYS + 1, "note": "需协调"})
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["message"] == form.errors["working_days"][0]
        with pytest.raises(WorkflowError) as refused:
            act(case, "request_extension", actor=world.handler,
                working_days=MAX_EXTENSION_DAYS + 1, note="需协调")
        assert refused.value.field == "working_days"

    def test_the_api_schema_names_the_declared_inputs(self, client):
        schema = client.get("/api/openapi.json").json()["components"]["schemas"]
        action_in = schema["ActionIn"]["properties"]
        assert {"department", "departments", "working_days", "into", "satisfaction"} <= set(
            action_in)
        assert action_in["working_days"]["maximum"] == MAX_EXTENSION_DAYS


class TestEngine:
    def test_transitioned_is_sent_by_the_workflow_itself(self, world, django_capture_on_commit_callbacks):
        heard = []

        def receiver(sender, **kwargs):
            heard.append((sender, kwargs["event"].action))

        transitioned.connect(receiver, sender=CASE_WORKFLOW)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                case = world.report()
                act(case, "register", actor=world.operator)
        finally:
            transitioned.disconnect(receiver, sender=CASE_WORKFLOW)
        assert heard == [(CASE_WORKFLOW, "report"), (CASE_WORKFLOW, "register")]

    def test_a_guard_hides_the_button_and_refuses_with_its_reason(self, world):
        case = world.walk(world.report(), State.HANDLING)
        case, _ = act(case, "request_extension", actor=world.handler, working_days=2,
                      note="需协调")
        assert "return" not in {t.action for t in allowed_actions(case, world.handler)}
        with pytest.raises(WorkflowError) as refused:
            act(case, "return", actor=world.handler, note="不属于本部门")
        assert refused.value.code == "extension_pending"

    def test_a_report_goes_through_the_engine_with_its_event_and_audit(self, world):
        from gridgov.core.models import AuditEntry

        case = world.report(world.grid_staff, source=Source.PATROL, photos=[photo()])
        event = case.events.get()
        assert (event.action, event.to_state, event.actor) == ("report", State.REPORTED,
                                                               world.grid_staff)
        assert event.actor_unit == world.grid_a1.name
        assert event.photos.count() == 1
        assert AuditEntry.objects.get(action="cases.case.reported").object_id == str(case.pk)
