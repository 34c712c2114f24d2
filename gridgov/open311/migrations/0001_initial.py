"""Open311's key model as it was in cases (cases 0014 renamed its table): state only.

The content type follows the model, so that permissions granted on it (an administrator's
right to issue keys) and admin history stay with it."""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("open311key",)


def _move_content_types(apps, models, source, target):
    content_types = apps.get_model("contenttypes", "ContentType").objects
    taken = set(content_types.filter(app_label=target).values_list("model", flat=True))
    content_types.filter(app_label=source, model__in=[m for m in models if m not in taken]).update(
        app_label=target)


def follow_content_types(apps, schema_editor):
    _move_content_types(apps, MODELS, "cases", "open311")


def lead_content_types_back(apps, schema_editor):
    _move_content_types(apps, MODELS, "open311", "cases")


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
        migrations.RunPython(follow_content_types, lead_content_types_back),
    ]
