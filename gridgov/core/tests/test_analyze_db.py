import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection

from gridgov.core.models import CalendarDay

pytestmark = pytest.mark.django_db


def _known_rows(table: str):
    """What the planner believes the table holds: None before any statistics."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return None
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
            row = cursor.fetchone()
            return int(row[0].split()[0]) if row else None
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        tuples = cursor.fetchone()[0]
        return None if tuples < 0 else int(tuples)


def test_the_planner_learns_how_many_rows_a_table_holds():
    for offset in range(3):
        CalendarDay.objects.create(date=dt.date(2031, 1, 1) + dt.timedelta(days=offset),
                                   is_workday=False)
    assert _known_rows("core_calendarday") != 3
    call_command("analyze_db", stdout=io.StringIO())
    assert _known_rows("core_calendarday") == 3
