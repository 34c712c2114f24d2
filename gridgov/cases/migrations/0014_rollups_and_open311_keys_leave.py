"""The indicators rollup's tables and the Open311 keys leave cases for apps of their own
(gridgov.indicators, gridgov.open311): cases keeps the case.

Each table is renamed to its new app's name (indicators_griddailystat, open311_open311key, ...),
its rows, indexes and constraints kept: a rename is a change of the catalogue on SQLite and
PostgreSQL alike, however many rows. The models leave this app's state here and enter the new
apps' state in their 0001 migrations, which create no table. Their content types move with them,
so that permissions granted on them (an administrator's right to issue Open311 keys) and the
admin's history stay with them.
"""

from django.db import migrations

MOVED = {
    "indicators": ("CaseDailyStat", "GridDailyStat", "DepartmentDailyStat", "CategoryDailyStat",
                   "GridMonthlyStat", "DepartmentMonthlyStat", "CategoryMonthlyStat",
                   "CaseStatMark", "RollupState"),
    "open311": ("Open311Key",),
}


def _move_content_types(apps, *, back: bool):
    content_types = apps.get_model("contenttypes", "ContentType").objects
    for app, names in MOVED.items():
        source, target = (app, "cases") if back else ("cases", app)
        taken = set(content_types.filter(app_label=target).values_list("model", flat=True))
        content_types.filter(app_label=source, model__in=[
            name.lower() for name in names if name.lower() not in taken]).update(app_label=target)


def content_types_follow(apps, schema_editor):
    _move_content_types(apps, back=False)


def content_types_come_back(apps, schema_editor):
    _move_content_types(apps, back=True)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0013_lean_case_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
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
        migrations.RunPython(content_types_follow, content_types_come_back),
    ]
