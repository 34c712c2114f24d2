"""`make demo` (load_demo) counts the indicators: the leader's first look at the dashboard shows
the town's figures for the last 30 days, never "统计数据尚未生成"."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from gridgov.accounts.models import User
from gridgov.indicators import rollup

pytestmark = pytest.mark.django_db


def test_the_demo_leader_sees_a_filled_dashboard(client):
    out = io.StringIO()
    call_command("load_demo", "--only", "indicators", stdout=out)
    assert "统计数据已生成" in out.getvalue()
    assert rollup.refreshed_through() is not None

    client.force_login(User.objects.by_phone("13800000004").get())  # 镇领导 郑国强
    response = client.get(reverse("indicators:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200 and "统计数据尚未生成" not in html
    total = response.context["total"].counts
    assert total["registered"] > 0 and total["due"] > 0 and not response.context["is_empty"]
