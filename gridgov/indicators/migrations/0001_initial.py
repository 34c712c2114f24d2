"""The indicators app's models as they were in cases (cases 0014 renamed their tables): state only.

The content types follow the models, so that permissions granted on them and admin history stay
with them."""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("casedailystat", "griddailystat", "departmentdailystat", "categorydailystat",
          "gridmonthlystat", "departmentmonthlystat", "categorymonthlystat", "casestatmark",
          "rollupstate")


def _move_content_types(apps, models, source, target):
    content_types = apps.get_model("contenttypes", "ContentType").objects
    taken = set(content_types.filter(app_label=target).values_list("model", flat=True))
    content_types.filter(app_label=source, model__in=[m for m in models if m not in taken]).update(
        app_label=target)


def follow_content_types(apps, schema_editor):
    _move_content_types(apps, MODELS, "cases", "indicators")


def lead_content_types_back(apps, schema_editor):
    _move_content_types(apps, MODELS, "indicators", "cases")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0014_rollups_and_open311_keys_leave'),
        ('contenttypes', '0002_remove_content_type_name'),
                ('grids', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='CaseStatMark',
                fields=[
                    ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='cases.case')),
                    ('registered_at', models.DateTimeField(null=True)),
                    ('due_at', models.DateTimeField(null=True)),
                    ('closed_at', models.DateTimeField(null=True)),
                ],
            ),
            migrations.CreateModel(
                name='RollupState',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('refreshed_through', models.DateTimeField(null=True)),
                    ('rebuilt_at', models.DateTimeField(null=True)),
                ],
            ),
            migrations.CreateModel(
                name='CaseDailyStat',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('registered', models.PositiveIntegerField(default=0)),
                    ('dispatched', models.PositiveIntegerField(default=0)),
                    ('returned', models.PositiveIntegerField(default=0)),
                    ('handled', models.PositiveIntegerField(default=0)),
                    ('reworked', models.PositiveIntegerField(default=0)),
                    ('self_handled', models.PositiveIntegerField(default=0)),
                    ('due', models.PositiveIntegerField(default=0)),
                    ('closed', models.PositiveIntegerField(default=0)),
                    ('closed_on_time', models.PositiveIntegerField(default=0)),
                    ('overdue', models.PositiveIntegerField(default=0)),
                    ('rated', models.PositiveIntegerField(default=0)),
                    ('satisfied', models.PositiveIntegerField(default=0)),
                    ('timed', models.PositiveIntegerField(default=0)),
                    ('handling_hours', models.FloatField(default=0)),
                    ('day', models.DateField()),
                    ('category', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.category')),
                    ('community', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.community')),
                    ('department', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.department')),
                    ('grid', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.grid')),
                    ('town', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.town')),
                ],
                options={
                    'verbose_name': '事件日统计',
                    'verbose_name_plural': '事件日统计',
                    'indexes': [models.Index(fields=['day'], name='cases_cased_day_ed806c_idx'), models.Index(fields=['town', 'day'], name='cases_cased_town_id_c99465_idx'), models.Index(fields=['community', 'day'], name='cases_cased_communi_6b5362_idx')],
                },
            ),
            migrations.CreateModel(
                name='CategoryDailyStat',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('registered', models.PositiveIntegerField(default=0)),
                    ('dispatched', models.PositiveIntegerField(default=0)),
                    ('returned', models.PositiveIntegerField(default=0)),
                    ('handled', models.PositiveIntegerField(default=0)),
                    ('reworked', models.PositiveIntegerField(default=0)),
                    ('self_handled', models.PositiveIntegerField(default=0)),
                    ('due', models.PositiveIntegerField(default=0)),
                    ('closed', models.PositiveIntegerField(default=0)),
                    ('closed_on_time', models.PositiveIntegerField(default=0)),
                    ('overdue', models.PositiveIntegerField(default=0)),
                    ('rated', models.PositiveIntegerField(default=0)),
                    ('satisfied', models.PositiveIntegerField(default=0)),
                    ('timed', models.PositiveIntegerField(default=0)),
                    ('handling_hours', models.FloatField(default=0)),
                    ('day', models.DateField()),
                    ('category', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.category')),
                    ('community', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.community')),
                    ('town', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.town')),
                ],
                options={
                    'verbose_name': '分类日统计',
                    'verbose_name_plural': '分类日统计',
                    'indexes': [models.Index(fields=['day'], name='category_daily_day'), models.Index(fields=['town', 'day'], name='category_daily_town_day'), models.Index(fields=['community', 'day'], name='category_daily_community_day')],
                },
            ),
            migrations.CreateModel(
                name='CategoryMonthlyStat',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('registered', models.PositiveIntegerField(default=0)),
                    ('dispatched', models.PositiveIntegerField(default=0)),
                    ('returned', models.PositiveIntegerField(default=0)),
                    ('handled', models.PositiveIntegerField(default=0)),
                    ('reworked', models.PositiveIntegerField(default=0)),
                    ('self_handled', models.PositiveIntegerField(default=0)),
                    ('due', models.PositiveIntegerField(default=0)),
                    ('closed', models.PositiveIntegerField(default=0)),
                    ('closed_on_time', models.PositiveIntegerField(default=0)),
                    ('overdue', models.PositiveIntegerField(default=0)),
                    ('rated', models.PositiveIntegerField(default=0)),
                    ('satisfied', models.PositiveIntegerField(default=0)),
                    ('timed', models.PositiveIntegerField(default=0)),
                    ('handling_hours', models.FloatField(default=0)),
                    ('month', models.DateField()),
                    ('category', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.category')),
                    ('community', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.community')),
                    ('town', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.town')),
                ],
                options={
                    'verbose_name': '分类月统计',
                    'verbose_name_plural': '分类月统计',
                    'indexes': [models.Index(fields=['month'], name='category_monthly_month'), models.Index(fields=['town', 'month'], name='category_monthly_town'), models.Index(fields=['community', 'month'], name='category_monthly_community')],
                },
            ),
            migrations.CreateModel(
                name='DepartmentDailyStat',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('registered', models.PositiveIntegerField(default=0)),
                    ('dispatched', models.PositiveIntegerField(default=0)),
                    ('returned', models.PositiveIntegerField(default=0)),
                    ('handled', models.PositiveIntegerField(default=0)),
                    ('reworked', models.PositiveIntegerField(default=0)),
                    ('self_handled', models.PositiveIntegerField(default=0)),
                    ('due', models.PositiveIntegerField(default=0)),
                    ('closed', models.PositiveIntegerField(default=0)),
                    ('closed_on_time', models.PositiveIntegerField(default=0)),
                    ('overdue', models.PositiveIntegerField(default=0)),
                    ('rated', models.PositiveIntegerField(default=0)),
                    ('satisfied', models.PositiveIntegerField(default=0)),
                    ('timed', models.PositiveIntegerField(default=0)),
                    ('handling_hours', models.FloatField(default=0)),
                    ('day', models.DateField()),
                    ('community', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.community')),
                    ('department', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.department')),
                    ('town', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.town')),
                ],
                options={
                    'verbose_name': '部门日统计',
                    'verbose_name_plural': '部门日统计',
                    'indexes': [models.Index(fields=['day'], name='department_daily_day'), models.Index(fields=['town', 'day'], name='department_daily_town_day'), models.Index(fields=['community', 'day'], name='department_daily_community_day')],
                },
            ),
            migrations.CreateModel(
                name='DepartmentMonthlyStat',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('registered', models.PositiveIntegerField(default=0)),
                    ('dispatched', models.PositiveIntegerField(default=0)),
                    ('returned', models.PositiveIntegerField(default=0)),
                    ('handled', models.PositiveIntegerField(default=0)),
                    ('reworked', models.PositiveIntegerField(default=0)),
                    ('self_handled', models.PositiveIntegerField(default=0)),
                    ('due', models.PositiveIntegerField(default=0)),
                    ('closed', models.PositiveIntegerField(default=0)),
                    ('closed_on_time', models.PositiveIntegerField(default=0)),
                    ('overdue', models.PositiveIntegerField(default=0)),
                    ('rated', models.PositiveIntegerField(default=0)),
                    ('satisfied', models.PositiveIntegerField(default=0)),
                    ('timed', models.PositiveIntegerField(default=0)),
                    ('handling_hours', models.FloatField(default=0)),
                    ('month', models.DateField()),
                    ('community', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.community')),
                    ('department', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.department')),
                    ('town', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.town')),
                ],
                options={
                    'verbose_name': '部门月统计',
                    'verbose_name_plural': '部门月统计',
                    'indexes': [models.Index(fields=['month'], name='department_monthly_month'), models.Index(fields=['town', 'month'], name='department_monthly_town'), models.Index(fields=['community', 'month'], name='department_monthly_community')],
                },
            ),
            migrations.CreateModel(
                name='GridDailyStat',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('registered', models.PositiveIntegerField(default=0)),
                    ('dispatched', models.PositiveIntegerField(default=0)),
                    ('returned', models.PositiveIntegerField(default=0)),
                    ('handled', models.PositiveIntegerField(default=0)),
                    ('reworked', models.PositiveIntegerField(default=0)),
                    ('self_handled', models.PositiveIntegerField(default=0)),
                    ('due', models.PositiveIntegerField(default=0)),
                    ('closed', models.PositiveIntegerField(default=0)),
                    ('closed_on_time', models.PositiveIntegerField(default=0)),
                    ('overdue', models.PositiveIntegerField(default=0)),
                    ('rated', models.PositiveIntegerField(default=0)),
                    ('satisfied', models.PositiveIntegerField(default=0)),
                    ('timed', models.PositiveIntegerField(default=0)),
                    ('handling_hours', models.FloatField(default=0)),
                    ('day', models.DateField()),
                    ('community', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.community')),
                    ('grid', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.grid')),
                    ('town', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.town')),
                ],
                options={
                    'verbose_name': '网格日统计',
                    'verbose_name_plural': '网格日统计',
                    'indexes': [models.Index(fields=['day'], name='grid_daily_day'), models.Index(fields=['town', 'day'], name='grid_daily_town_day'), models.Index(fields=['community', 'day'], name='grid_daily_community_day')],
                },
            ),
            migrations.CreateModel(
                name='GridMonthlyStat',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('registered', models.PositiveIntegerField(default=0)),
                    ('dispatched', models.PositiveIntegerField(default=0)),
                    ('returned', models.PositiveIntegerField(default=0)),
                    ('handled', models.PositiveIntegerField(default=0)),
                    ('reworked', models.PositiveIntegerField(default=0)),
                    ('self_handled', models.PositiveIntegerField(default=0)),
                    ('due', models.PositiveIntegerField(default=0)),
                    ('closed', models.PositiveIntegerField(default=0)),
                    ('closed_on_time', models.PositiveIntegerField(default=0)),
                    ('overdue', models.PositiveIntegerField(default=0)),
                    ('rated', models.PositiveIntegerField(default=0)),
                    ('satisfied', models.PositiveIntegerField(default=0)),
                    ('timed', models.PositiveIntegerField(default=0)),
                    ('handling_hours', models.FloatField(default=0)),
                    ('month', models.DateField()),
                    ('community', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.community')),
                    ('grid', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.grid')),
                    ('town', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.town')),
                ],
                options={
                    'verbose_name': '网格月统计',
                    'verbose_name_plural': '网格月统计',
                    'indexes': [models.Index(fields=['month'], name='grid_monthly_month'), models.Index(fields=['town', 'month'], name='grid_monthly_town'), models.Index(fields=['community', 'month'], name='grid_monthly_community')],
                },
            ),
        ]),
        migrations.RunPython(follow_content_types, lead_content_types_back),
    ]
