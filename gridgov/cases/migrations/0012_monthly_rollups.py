"""The monthly rollup tables beside the daily ones (then gridgov.cases.rollup), filled from the daily
rows already counted: a page over whole months is right from the deployment on, not only after
the next nightly rebuild."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Max, Min

# The rollup's code has moved to the indicators app (its tables too, in 0014); this migration
# still fills the monthly tables through it.
from gridgov.indicators import rollup

# (kept by, daily table, monthly table), as this migration creates them.
MONTHLY = (
    (("grid_id",), "GridDailyStat", "GridMonthlyStat"),
    (("department_id",), "DepartmentDailyStat", "DepartmentMonthlyStat"),
    (("category_id",), "CategoryDailyStat", "CategoryMonthlyStat"),
)


def sum_the_counted_months(apps, schema_editor):
    model = apps.get_model
    tables = [rollup.Table(kept_by, model("cases", daily), model("cases", monthly))
              for kept_by, daily, monthly in MONTHLY]
    span = tables[0].daily.objects.aggregate(first=Min("day"), last=Max("day"))
    if span["first"] is not None:
        for month in rollup.months_between(span["first"], span["last"]):
            rollup.replace_month(month, tables)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_pair_search'),
        ('grids', '0001_initial'),
    ]

    operations = [
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
        migrations.RunPython(sum_the_counted_months, migrations.RunPython.noop),
    ]
