"""Open311's key model as it was in cases, whose 0014 renamed its table and moved its content
type: state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0014_rollups_and_open311_keys_leave'),
        ('grids', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='Open311Key',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=100, verbose_name='使用方')),
                    ('prefix', models.CharField(editable=False, max_length=8, verbose_name='密钥前缀')),
                    ('key_hash', models.CharField(editable=False, max_length=64, unique=True)),
                    ('is_active', models.BooleanField(default=True, verbose_name='启用')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('last_used_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='最近使用')),
                    ('town', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='open311_keys', to='grids.town', verbose_name='镇/街道')),
                ],
                options={
                    'verbose_name': 'Open311 接口密钥',
                    'verbose_name_plural': 'Open311 接口密钥',
                    'ordering': ['town', 'name'],
                },
            ),
        ]),
    ]
