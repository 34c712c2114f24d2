"""For migrations that install database-specific SQL (the audit log's triggers). Not a migration:
the loader skips modules whose names start with an underscore."""


def run_for_vendor(postgresql: list[str], sqlite: list[str]):
    """A RunPython function executing the statements of the connection's database."""

    def run(apps, schema_editor):
        for sql in postgresql if schema_editor.connection.vendor == "postgresql" else sqlite:
            schema_editor.execute(sql)

    return run
