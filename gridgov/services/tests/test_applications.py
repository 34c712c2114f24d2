"""Applications: the flow, its working-day deadlines and sweep, notices, the credit code,
permissions from the refused side, the pages and the API."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from gridgov.core.models import AuditEntry, Notice
from gridgov.core.workflow import WorkflowError
from gridgov.services import actions, deadlines
from gridgov.services.credit_code import is_valid, with_check
from gridgov.services.models import Application, ApplicationEvent, State
from gridgov.services.queues import provider_queue
from gridgov.services.tests.factories import credit_code

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=SHANGHAI), tick=False)


def test_the_credit_code_check_digit():
    assert is_valid("91350100M000100Y43")  # GB 32100-2015's own example
    assert not is_valid("91350100M000100Y44")
    assert not is_valid("91350100M000100Y4")
    assert not is_valid("91350100M000100YI3")  # I is not in the alphabet
    assert is_valid(" 9135 0100 m000 100y43 ")  # typed with spaces, lower case
    assert is_valid(with_check("91310105MA1FL0000"))


def test_the_whole_flow_received_accepted_in_service_done_rated(world):
    application = world.apply()
    assert application.state == State.RECEIVED
    assert application.number.startswith("S")
    assert application.department == world.party_centre
    actions.act(application, "accept", actor=world.party_handler)
    actions.act(application, "start", actor=world.party_handler)
    actions.act(application, "complete", actor=world.party_handler, result="已安排驿站休息")
    actions.act(application, "rate", actor=world.rider, rating=5, comment="很好")
    application.refresh_from_db()
    assert (application.state, application.rating, application.result) == (
        State.DONE, 5, "已安排驿站休息")
    assert list(application.events.values_list("action", flat=True)) == [
        "apply", "accept", "start", "complete", "rate"]
    assert AuditEntry.objects.filter(action="services.application.rated").exists()
    with pytest.raises(WorkflowError) as twice:
        actions.act(application, "rate", actor=world.rider, rating=1)
    assert twice.value.code == "already_rated"


def test_declining_needs_a_reason_and_tells_the_applicant(world):
    application = world.apply()
    with pytest.raises(WorkflowError) as refused:
        actions.act(application, "decline", actor=world.party_handler)
    assert refused.value.field == "reason"
    actions.act(application, "decline", actor=world.party_handler, reason="本驿站暂停开放")
    assert application.state == State.DECLINED
    body = Notice.objects.filter(user=world.rider).latest("id").body
    assert "不予办理：本驿站暂停开放" in body


def test_the_applicant_and_the_provider_are_told(world):
    world.apply()
    assert Notice.objects.filter(user=world.rider, kind="services.application.applied").exists()
    assert Notice.objects.filter(user=world.party_handler,
                                 kind="services.application.applied").exists()
    assert not Notice.objects.filter(user=world.business_handler).exists()


def test_an_organisation_applies_with_a_valid_credit_code_only(world):
    with pytest.raises(WorkflowError) as bad:
        world.apply(applicant_kind="organisation", organisation_name="示例科技公司",
                    credit_code="91310105MA1FL00000")
    assert (bad.value.code, bad.value.field) == ("bad_credit_code", "credit_code")
    with pytest.raises(WorkflowError) as missing:
        world.apply(applicant_kind="organisation", organisation_name="示例科技公司")
    assert missing.value.field == "credit_code"
    good = world.apply(applicant_kind="organisation", organisation_name="示例科技公司",
                       credit_code=credit_code(7).lower())
    assert good.credit_code == credit_code(7)
    assert Application.objects.count() == 1


def test_bad_phone_and_inactive_items_are_refused(world):
    with pytest.raises(WorkflowError) as phone:
        world.apply(contact_phone="12345")
    assert phone.value.field == "contact_phone"
    world.item.is_active = False
    world.item.save()
    with pytest.raises(WorkflowError) as inactive:
        world.apply()
    assert inactive.value.code == "bad_item"


def test_deadlines_count_working_days_across_the_national_day_holiday(world):
    # Applied on Monday 2025-09-29 for a one-day item: 09-30 is the next working day.
    with at(2025, 9, 29, 10):
        application = world.apply()
    assert application.due_at.astimezone(SHANGHAI).date() == dt.date(2025, 9, 30)
    # Accepted on 09-30: the item's 5-day service promise skips 10-01..10-08 (holiday) and
    # counts Saturday 10-11 (made a working day): 10-09, 10-10, 10-11, 10-13, 10-14.
    assert application.item.service_days == 5
    with at(2025, 9, 30, 9):
        actions.act(application, "accept", actor=world.party_handler)
    assert application.due_at.astimezone(SHANGHAI).date() == dt.date(2025, 10, 14)


def test_the_sweep_warns_and_marks_overdue_once(world):
    with at(2025, 9, 29, 10):
        application = world.apply()
    with at(2025, 10, 9, 10):
        assert deadlines.sweep_deadlines() == "0 warned, 1 overdue"
        assert deadlines.sweep_deadlines() == "0 warned, 0 overdue"
        assert Application.objects.overdue(dt.datetime.now(SHANGHAI)).count() == 1
    assert ApplicationEvent.objects.filter(application=application,
                                           action="overdue").count() == 1
    assert Notice.objects.filter(user=world.party_handler,
                                 kind="services.application.became_overdue").exists()
    application.refresh_from_db()
    assert application.state == State.RECEIVED


def test_the_provider_queue_holds_only_the_department_s_own_applications(world):
    mine = world.apply()
    other = world.apply(item=world.town.service_items.get(name="企业开办咨询"))
    assert list(provider_queue(world.party_handler)) == [mine]
    assert list(provider_queue(world.business_handler)) == [other]
    assert set(provider_queue(world.operator)) == {mine, other}  # reads the town's
    assert list(provider_queue(world.other_party_handler)) == []


@pytest.mark.parametrize("who", ["business_handler", "handler", "rider", "resident",
                                 "other_party_handler", "other_operator", "grid_staff", "admin",
                                 "leader"])
def test_no_one_but_the_providing_department_moves_an_application(world, who):
    application = world.apply()
    with pytest.raises(WorkflowError) as refused:
        actions.act(application, "accept", actor=getattr(world, who))
    assert refused.value.code == "forbidden"
    application.refresh_from_db()
    assert application.state == State.RECEIVED


def test_the_operations_centre_works_items_a_partner_provides(world):
    application = world.apply(item=world.partner_item)
    assert application.department is None
    with pytest.raises(WorkflowError):
        actions.act(application, "accept", actor=world.other_operator)
    with pytest.raises(WorkflowError):
        actions.act(application, "accept", actor=world.party_handler)
    actions.act(application, "accept", actor=world.operator)
    assert application.state == State.ACCEPTED


def test_only_the_applicant_rates(world):
    application = world.apply()
    for action, data in (("accept", {}), ("start", {}), ("complete", {"result": "已办"})):
        actions.act(application, action, actor=world.party_handler, **data)
    for who in (world.resident, world.party_handler, world.operator):
        with pytest.raises(WorkflowError):
            actions.act(application, "rate", actor=who, rating=5)
    with pytest.raises(WorkflowError) as bad:
        actions.act(application, "rate", actor=world.rider, rating=6)
    assert bad.value.field == "rating"


def test_pages_the_applicant_and_the_provider_see_and_others_do_not(client, world):
    application = world.apply()
    url = reverse("services:application", args=[application.pk])
    for outsider in (world.resident, world.business_handler, world.other_party_handler,
                     world.other_operator, world.deputy):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(reverse("services:application_action",
                                   args=[application.pk, "accept"])).status_code == 404
    client.force_login(world.rider)
    page = client.get(url).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    client.force_login(world.party_handler)
    response = client.post(reverse("services:application_action", args=[application.pk, "accept"]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.ACCEPTED
    # Declining without a reason: the page says why, nothing moves.
    response = client.post(reverse("services:application_action", args=[application.pk, "decline"]))
    assert response.status_code == 400 and "请填写不予办理理由" in response.content.decode()


def test_the_applicant_applies_from_the_phone_page(client, world):
    client.force_login(world.rider)
    response = client.post(reverse("services:apply", args=[world.item.pk]), {
        "applicant_kind": "organisation", "organisation_name": "示例配送站",
        "credit_code": "91310105MA1FL0000X", "contact_name": "王小明",
        "contact_phone": "13912345678", "details": "需要休息点"})
    assert response.status_code == 200
    assert "统一社会信用代码不正确" in response.content.decode()
    assert not Application.objects.exists()
    response = client.post(reverse("services:apply", args=[world.item.pk]), {
        "applicant_kind": "person", "contact_name": "王小明", "contact_phone": "13912345678",
        "details": "需要休息点"})
    assert response.status_code == 302
    assert Application.objects.get().applicant == world.rider


def test_the_queue_page_is_refused_to_residents_and_grid_staff(client, world):
    for user in (world.rider, world.grid_staff, world.deputy):
        client.force_login(user)
        assert client.get(reverse("services:queue")).status_code == 403


def test_the_home_page_counts_the_provider_s_to_dos(client, world):
    world.apply()
    client.force_login(world.party_handler)
    todos = {t.label: t.count for t in client.get("/").context["todos"]}
    assert todos["待接单的服务申请"] == 1


# ----- API ---------------------------------------------------------------------------------

def test_api_catalogue_search_is_public_and_bounded(client, world):
    response = client.get("/api/services/items", {"q": "外卖", "town": world.town.pk})
    assert response.status_code == 200
    assert [i["name"] for i in response.json()["items"]] == ["外卖骑手健康体检"]
    bad = client.get("/api/services/items", {"size": 1000})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "size"


def test_api_apply_act_and_structured_errors(client, world):
    client.force_login(world.rider)
    refused = client.post("/api/services/applications", json.dumps({
        "item": world.item.pk, "applicant_kind": "organisation", "organisation_name": "示例",
        "credit_code": "123", "contact_name": "王", "contact_phone": "13912345678",
        "details": "需要"}), content_type="application/json")
    assert refused.status_code == 400
    assert refused.json() == {"errors": [{"field": "credit_code", "code": "bad_credit_code",
                                          "message": "统一社会信用代码不正确（应为18位，校验位需相符）"}]}
    created = client.post("/api/services/applications", json.dumps({
        "item": world.item.pk, "applicant_kind": "person", "contact_name": "王小明",
        "contact_phone": "13912345678", "details": "需要休息"}), content_type="application/json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["contact_phone"] == "139****5678"
    early = client.post(f"/api/services/applications/{pk}/actions/rate",
                        json.dumps({"rating": 5}), content_type="application/json")
    assert early.status_code == 409
    forbidden = client.post(f"/api/services/applications/{pk}/actions/accept", "{}",
                            content_type="application/json")
    assert forbidden.status_code == 403
    client.force_login(world.business_handler)
    assert client.get(f"/api/services/applications/{pk}").status_code == 404
    assert client.get("/api/services/applications", {"queue": "received"}).json() == []
    client.force_login(world.party_handler)
    accepted = client.post(f"/api/services/applications/{pk}/actions/accept", "{}",
                           content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    client.force_login(world.resident)
    assert client.get("/api/services/applications", {"queue": "received"}).status_code == 403


def test_the_provider_reveals_the_phone_audited_and_the_applicant_cannot(client, world):
    application = world.apply()
    url = reverse("services:reveal_contact", args=[application.pk])
    client.force_login(world.rider)
    assert client.post(url).status_code == 403
    client.force_login(world.party_handler)
    assert "13912345678" in client.post(url).content.decode()
    entry = AuditEntry.objects.filter(action="core.pii.revealed").latest("id")
    assert entry.object_id == str(application.pk) and entry.changes == {"field": "contact_phone"}
