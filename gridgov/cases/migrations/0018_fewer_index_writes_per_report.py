"""Fewer index entries written per report (docs/benchmarks.md, "Intake").

A new report has no department, registration or closing time, and most have no signed-in
reporter and are merged into nothing: the indexes on those columns become partial (column not
empty), so a report writes none of their entries. (The deadline's indexes stay whole: with them
partial, SQLite's planner read the supervision queues' counts from the town's whole list.) The
ratings to review get a small partial index of their own. A query comparing the
column with a value implies "not empty", so SQLite and PostgreSQL still use them. The events'
single index on the case is covered by (case, at). The foreign keys' own indexes are dropped by
name, not by AlterField, which on SQLite would copy the whole cases table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0017_category_emergency_notice'),
        ('grids', '0002_basemap_addresses'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='cases_case_departm_7ed44a_idx',
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='cases_case_town_id_b11d9b_idx',
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='cases_case_categor_245c10_idx',
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='cases_case_town_id_618b84_idx',
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='merged_into',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_cases', to='cases.case', verbose_name='合并到'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='reporter',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reported_cases', to=settings.AUTH_USER_MODEL, verbose_name='上报人'),
                ),
                migrations.AlterField(
                    model_name='caseevent',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='cases.case'),
                ),
                migrations.AlterField(
                    model_name='caseevent',
                    name='department',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grids.department', verbose_name='部门'),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS cases_case_merged_into_id_1b4320d8",
                                  'CREATE INDEX cases_case_merged_into_id_1b4320d8 ON "cases_case" ("merged_into_id")'),
                migrations.RunSQL("DROP INDEX IF EXISTS cases_case_reporter_id_7d7d0c2b",
                                  'CREATE INDEX cases_case_reporter_id_7d7d0c2b ON "cases_case" ("reporter_id")'),
                migrations.RunSQL("DROP INDEX IF EXISTS cases_caseevent_case_id_6c6031ac",
                                  'CREATE INDEX cases_caseevent_case_id_6c6031ac ON "cases_caseevent" ("case_id")'),
                migrations.RunSQL("DROP INDEX IF EXISTS cases_caseevent_department_id_e122de82",
                                  'CREATE INDEX cases_caseevent_department_id_e122de82 ON "cases_caseevent" ("department_id")'),
            ],
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('department__isnull', False)), fields=['department', 'state', 'reported_at'], name='case_department_queue'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('needs_review', True)), fields=['town'], name='case_needs_review'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('registered_at__isnull', False)), fields=['town', 'registered_at'], name='case_town_registered'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('registered_at__isnull', False)), fields=['category', 'registered_at'], name='case_category_registered'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('closed_at__isnull', False)), fields=['town', 'closed_at'], name='case_town_closed'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('reporter__isnull', False)), fields=['reporter'], name='case_reporter'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('merged_into__isnull', False)), fields=['merged_into'], name='case_merged_into'),
        ),
        migrations.AddIndex(
            model_name='caseevent',
            index=models.Index(condition=models.Q(('department__isnull', False)), fields=['department'], name='caseevent_department'),
        ),
    ]
