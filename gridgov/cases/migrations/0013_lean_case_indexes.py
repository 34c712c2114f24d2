"""Fewer indexes to write per report, one more to read photos by.

Case's town, community, grid, department and category each lead a composite index (Meta.indexes)
that serves every lookup their own single-column index served: those five go, so a report writes
five index entries fewer. Dropped by name, not by AlterField, which on SQLite would copy the
whole cases table (and make the search index re-read every case). CasePhoto.image gets an index:
the nightly photo sweep looks files up by name.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_monthly_rollups'),
        ('grids', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='category',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='cases.category', verbose_name='分类'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='community',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='grids.community', verbose_name='居民区'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='department',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='grids.department', verbose_name='处置部门'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='grid',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='grids.grid', verbose_name='网格'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='town',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='grids.town', verbose_name='镇/街道'),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS cases_case_category_id_c6dc5a5a",
                                  'CREATE INDEX cases_case_category_id_c6dc5a5a ON "cases_case" ("category_id")'),
                migrations.RunSQL("DROP INDEX IF EXISTS cases_case_community_id_2bab8062",
                                  'CREATE INDEX cases_case_community_id_2bab8062 ON "cases_case" ("community_id")'),
                migrations.RunSQL("DROP INDEX IF EXISTS cases_case_department_id_c5b7309d",
                                  'CREATE INDEX cases_case_department_id_c5b7309d ON "cases_case" ("department_id")'),
                migrations.RunSQL("DROP INDEX IF EXISTS cases_case_grid_id_af7609ce",
                                  'CREATE INDEX cases_case_grid_id_af7609ce ON "cases_case" ("grid_id")'),
                migrations.RunSQL("DROP INDEX IF EXISTS cases_case_town_id_2dc94c04",
                                  'CREATE INDEX cases_case_town_id_2dc94c04 ON "cases_case" ("town_id")'),
            ],
        ),
        migrations.AddIndex(
            model_name='casephoto',
            index=models.Index(fields=['image'], name='casephoto_image'),
        ),
    ]
