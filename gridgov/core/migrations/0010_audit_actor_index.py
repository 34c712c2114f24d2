"""The audit log's index of the actor alone is dropped: (actor, at) answers the same lookups, and
every audited write paid for both. Dropped by name, found by its columns, rather than by
AlterField, which on SQLite copies the whole append-only table into a new one."""

from django.conf import settings
from django.db import migrations, models


def _actor_indexes(schema_editor) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "core_auditentry")
    return [name for name, c in constraints.items()
            if c["index"] and not c["unique"] and not c["primary_key"]
            and c["columns"] == ["actor_id"]]


def drop_actor_index(apps, schema_editor):
    for name in _actor_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_actor_index(apps, schema_editor):
    if not _actor_indexes(schema_editor):
        schema_editor.execute("CREATE INDEX core_auditentry_actor_id ON core_auditentry (actor_id)")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0009_notice_town"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True, db_constraint=False, db_index=False, null=True,
                        on_delete=models.deletion.DO_NOTHING, related_name="+",
                        to=settings.AUTH_USER_MODEL, verbose_name="操作人"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_actor_index, create_actor_index)],
        ),
    ]
