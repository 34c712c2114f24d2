"""Upgrading a database from before indicators and Open311 left cases (cases 0013): the tables
are renamed with their rows, and what was granted on the models (permissions) follows them. A
fresh database goes the whole way in every test run's set-up."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gridgov.accounts.models import User
from gridgov.indicators.models import GridDailyStat, RollupState
from gridgov.open311.models import Open311Key

BEFORE = [("cases", "0013_lean_case_indexes")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_keeps_the_rows_and_the_permissions():
    old = _migrate(BEFORE)
    try:
        tables = connection.introspection.table_names()
        assert "cases_griddailystat" in tables and "indicators_griddailystat" not in tables
        town = old.get_model("grids", "Town").objects.create(
            name="示例镇", district_code="310105", code="001", longitude=121.38,
            latitude=31.21)
        old.get_model("cases", "GridDailyStat").objects.create(
            town_id=town.pk, day=dt.date(2026, 3, 2), registered=7)
        old.get_model("cases", "RollupState").objects.create(pk=1)
        old.get_model("cases", "Open311Key").objects.create(
            town_id=town.pk, name="12345平台", prefix="abcd1234", key_hash="f" * 64)
        content_type = old.get_model("contenttypes", "ContentType").objects.get_or_create(
            app_label="cases", model="open311key")[0]
        permission = old.get_model("auth", "Permission").objects.get_or_create(
            content_type=content_type, codename="change_open311key",
            defaults={"name": "Can change Open311 key"})[0]
        admin = old.get_model("accounts", "User").objects.create(phone_index="x", phone="")
        admin.user_permissions.add(permission)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    tables = connection.introspection.table_names()
    assert "indicators_griddailystat" in tables and "cases_griddailystat" not in tables
    assert "open311_open311key" in tables and "cases_open311key" not in tables
    assert GridDailyStat.objects.get().registered == 7
    assert RollupState.objects.filter(pk=1).exists()
    assert Open311Key.objects.get().name == "12345平台"
    assert Permission.objects.get(codename="change_open311key").content_type.app_label == "open311"
    assert User.objects.get(pk=admin.pk).has_perm("open311.change_open311key")
