"""The home page of a leader (the month's key figures) and of a deputy (their constituency's
cases, counted, with no link to a page they may not open)."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from gridgov.accounts.roles import Role
from gridgov.cases.models import State
from gridgov.cases.tests.factories import CaseFactory
from gridgov.grids.tests.factories import staff
from gridgov.indicators import rollup

pytestmark = pytest.mark.django_db
HOME = reverse("core:home")


def at(day, hour=10):
    return timezone.make_aware(dt.datetime(2025, 3, day, hour))


@pytest.fixture
def march(world):
    """Mid-March 2025: in community a one case closed on time and one still open past its
    deadline; in community b one closed late; one more in the other town."""
    with time_machine.travel(at(20), tick=False):
        CaseFactory(grid=world.grid_a1, category=world.category, state=State.CLOSED,
                    reported_at=at(2), registered_at=at(2), due_at=at(9, 18), closed_at=at(5),
                    closed_on_time=True)
        CaseFactory(grid=world.grid_a2, category=world.category, state=State.HANDLING,
                    reported_at=at(3), registered_at=at(3), due_at=at(10, 18))
        CaseFactory(grid=world.grid_b1, category=world.category, state=State.CLOSED,
                    reported_at=at(4), registered_at=at(4), due_at=at(8, 18), closed_at=at(12),
                    closed_on_time=False)
        CaseFactory(grid=world.other_grid, category=world.category, state=State.HANDLING,
                    reported_at=at(4), registered_at=at(4), due_at=at(8, 18))
        rollup.rebuild()
        yield


def panel(response, title_start):
    return next(p for p in response.context["panels"] if p.title.startswith(title_start))


def test_the_leader_sees_the_months_key_figures_from_the_indicators(client, world, march):
    client.force_login(world.leader)
    with time_machine.travel(at(20), tick=False):
        response = client.get(HOME)
    month = dict(panel(response, "本月主要指标").figures)
    assert month["立案数"] == "3" and month["应结案数"] == "3" and month["结案数"] == "2"
    assert month["超期数"] == "2" and month["按期结案率"] == "33.33%" and month["满意率"] == "—"
    html = response.content.decode()
    assert "本月主要指标（3月1日至20日）" in html
    assert "/indicators/?start=2025-03-01&amp;end=2025-03-20" in html


def test_a_constituency_deputy_sees_its_communitys_cases_counted(client, world, march):
    deputy = staff(Role.DEPUTY, world.community_a)
    client.force_login(deputy)
    with time_machine.travel(at(20), tick=False):
        response = client.get(HOME)
    counts = dict(panel(response, "我的选区").figures)
    # Community a only: one open and overdue, both reported and one closed this month.
    assert counts == {"办理中": "1", "已超期": "1", "本月新反映": "2", "本月已结案": "1"}


def test_a_town_wide_deputy_is_told_why_there_is_nothing(client, world, march):
    client.force_login(world.deputy)
    response = client.get(HOME)
    [shown] = response.context["panels"]
    assert shown.figures == () and "尚未关联选区" in shown.note


@pytest.mark.parametrize("name", ["deputy", "party_affairs", "leader", "admin", "operator",
                                  "handler", "grid_staff", "resident"])
def test_no_link_on_a_home_page_answers_403(client, world, march, name):
    user = world.users()[name]
    if name == "deputy":
        user = staff(Role.DEPUTY, world.community_a)
    user.is_staff = name == "admin"
    user.save()
    client.force_login(user)
    html = client.get(HOME).content.decode()
    links = set(re.findall(r'href="(/[^"]*)"', html)) - {HOME}
    assert links
    for link in links:
        status = client.get(link.replace("&amp;", "&")).status_code
        assert status != 403, (name, link)


def test_on_the_first_of_the_month_the_title_names_one_day(client, world):
    client.force_login(world.leader)
    with time_machine.travel(at(1), tick=False):
        [shown] = client.get(HOME).context["panels"]
    assert shown.title == "本月主要指标（3月1日）"
