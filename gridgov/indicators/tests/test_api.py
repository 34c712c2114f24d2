"""The indicators API (/api/indicators/): who may read it, the counts of a reader's scope, refusals."""

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.cases.models import State
from gridgov.cases.tests.test_api import as_user, only_error
from gridgov.indicators import rollup

pytestmark = pytest.mark.django_db


class TestIndicators:
    URL = "/api/indicators/"

    def test_only_leaders_operators_and_admins(self, client, world):
        assert only_error(client.get(self.URL), 401)["code"] == "unauthenticated"
        for user in (world.handler, world.grid_staff, world.resident):
            assert only_error(as_user(Client(), user).get(self.URL), 403)["code"] == "forbidden"

    def test_counts_of_the_scope(self, client, world):
        world.walk(world.report(), State.REGISTERED)
        world.walk(world.report(grid=world.grid_b1), State.REGISTERED)
        rollup.refresh()
        today = timezone.localdate()
        body = as_user(client, world.leader).get(
            self.URL, {"grouping": "community", "start": today, "end": today}).json()
        assert {row["label"]: row["counts"]["registered"] for row in body["rows"]} == {
            "示例甲居民区": 1, "示例乙居民区": 1}
        assert body["refreshed_through"] is not None
        [row] = as_user(client, world.operator_b).get(self.URL).json()["rows"]
        assert row["counts"]["registered"] == 1 and row["rates"]["closure_rate"] is None

    def test_bad_period_and_grouping(self, client, world):
        client = as_user(client, world.leader)
        assert only_error(client.get(self.URL, {"grouping": "street"}), 422)["field"] == "grouping"
        assert only_error(client.get(self.URL, {"start": "2025-03-02", "end": "2025-03-01"}), 400)[
            "code"] == "bad_period"
