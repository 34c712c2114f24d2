"""Staff reports end on a staff receipt and staff do not rate their own filings (issue 12,
item 11); the resident's 待评价 count asks the workflow's rating rule (one rule)."""

import pytest
from django.urls import reverse

from gridgov.cases.actions import act, allowed_actions, rate
from gridgov.cases.models import Case, Source, State
from gridgov.cases.queues import waiting_for_rating
from gridgov.cases.tests.factories import photo
from gridgov.cases.tests.test_views_resident import report_data

pytestmark = pytest.mark.django_db


def patrol_data(world, **overrides):
    data = report_data(world, source=Source.PATROL, photos=[photo("before.jpg")])
    for name in ("reporter_name", "reporter_phone"):
        data.pop(name)
    data.update(overrides)
    return data


def test_a_self_handled_patrol_report_ends_on_a_staff_receipt(client, world):
    client.force_login(world.grid_staff)
    response = client.post(reverse("cases:report"), patrol_data(
        world, self_handled="on", after_photos=[photo("after.jpg")]), follow=True)
    case = Case.objects.get()
    assert case.state == State.CLOSED and case.is_self_handled
    assert response.redirect_chain[-1][0] == reverse("cases:case_detail", args=[case.pk])
    page = response.content.decode()
    assert f"已上报并自行处置，事件 {case.number} 已结案" in page
    assert "请记下查询码" not in page and "请您评价" not in page
    assert case.tracking_code not in page


def test_a_patrol_report_for_the_operations_centre_also_gets_a_staff_receipt(client, world):
    client.force_login(world.grid_staff)
    response = client.post(reverse("cases:report"), patrol_data(world))
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])


def test_grid_staff_are_not_asked_for_a_contact_or_anonymity(client, world):
    client.force_login(world.grid_staff)
    page = client.get(reverse("cases:report")).content.decode()
    assert 'name="reporter_phone"' not in page and 'name="is_anonymous"' not in page
    assert 'id="contact-section"' not in page


def test_a_resident_still_gives_a_contact(client, world):
    page = client.get(reverse("cases:report")).content.decode()
    assert 'name="reporter_phone"' in page and 'name="is_anonymous"' in page


def test_the_operator_filing_a_hotline_call_takes_the_callers_contact(client, world):
    client.force_login(world.operator)
    page = client.get(reverse("cases:report")).content.decode()
    assert 'id="contact-section"' in page and "反映人联系方式" in page
    assert 'id="contact-section" hidden' not in page  # 12345 热线 is the first source offered


def test_staff_cannot_rate_the_case_they_filed(world):
    case = world.report(world.grid_staff, source=Source.PATROL, photos=[photo()])
    case, _ = act(case, "self_handle", actor=world.grid_staff, after_photos=[photo("after.jpg")])
    assert "evaluate" not in {t.action for t in allowed_actions(case, world.grid_staff)}
    from gridgov.core.workflow import WorkflowError

    with pytest.raises(WorkflowError) as refused:
        act(case, "evaluate", actor=world.grid_staff, satisfaction="satisfied")
    assert refused.value.code in ("own_case", "forbidden")
    # The operations centre may still record a rating (a call-back), as before.
    assert "evaluate" in {t.action for t in allowed_actions(case, world.operator)}


def test_the_resident_still_rates_their_own_report(world):
    case = world.walk(world.report(world.resident), State.CLOSED)
    assert "evaluate" in {t.action for t in allowed_actions(case, world.resident)}


# ----- the 待评价 count is the workflow's rule ----------------------------------------------

def test_a_merged_duplicates_reporter_is_counted_once_the_case_it_joined_closes(client, world):
    from gridgov.grids.tests.factories import UserFactory

    neighbour = UserFactory()
    first = world.report(world.resident)
    duplicate = world.report(neighbour)
    act(duplicate, "merge", actor=world.operator, into=first)
    world.walk(Case.objects.get(pk=first.pk), State.CLOSED)
    assert [c.pk for c in waiting_for_rating(neighbour)] == [duplicate.pk]

    client.force_login(neighbour)
    todos = {t.label: t.count for t in client.get(reverse("core:home")).context["todos"]}
    assert todos["我的反映 · 待评价"] == 1

    # Rated by either reporter, the case waits for nobody any more.
    rate(Case.objects.get(pk=first.pk), satisfaction="satisfied", actor=world.resident)
    assert waiting_for_rating(neighbour) == [] and waiting_for_rating(world.resident) == []


def test_a_case_not_yet_closed_is_not_waiting_for_rating(world):
    world.walk(world.report(world.resident), State.VERIFIED)
    assert waiting_for_rating(world.resident) == []


def test_my_reports_marks_the_cases_waiting_for_my_rating(client, world):
    closed = world.walk(world.report(world.resident), State.CLOSED)
    world.walk(world.report(world.resident), State.HANDLING)
    client.force_login(world.resident)
    page = client.get(reverse("cases:my_cases")).content.decode()
    assert page.count(">待评价</a>") == 1
    assert f'{reverse("cases:track_case", args=[closed.tracking_code])}#rate' in page
