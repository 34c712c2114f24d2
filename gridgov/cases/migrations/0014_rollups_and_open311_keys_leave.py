"""The indicators rollup's tables and the Open311 keys leave cases for apps of their own
(gridgov.indicators, gridgov.open311): cases keeps the case.

Each table is renamed to its new app's name (indicators_griddailystat, open311_open311key, ...),
its rows, indexes and constraints kept: a rename is a change of the catalogue on SQLite and
PostgreSQL alike, however many rows. The models leave this app's state here and enter the new
apps' state in their 0001 migrations, which create no table.
"""

from django.db import migrations

MOVED = {
    "indicators": ("CaseDailyStat", "GridDailyStat", "DepartmentDailyStat", "CategoryDailyStat",
                   "GridMonthlyStat", "DepartmentMonthlyStat", "CategoryMonthlyStat",
                   "CaseStatMark", "RollupState"),
    "open311": ("Open311Key",),
}


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0013_lean_case_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name, f"{app}_{name.lower()}")
                for app, names in MOVED.items() for name in names
            ],
            state_operations=[
                migrations.DeleteModel(name) for names in MOVED.values() for name in names
            ],
        ),
    ]
