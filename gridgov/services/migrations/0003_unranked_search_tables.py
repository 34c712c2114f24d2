"""SQLite's catalogue search tables rebuilt without what no search reads
(gridgov.core.textsearch.UNRANKED and PAIR_TABLE), as cases' 0020 does for cases."""

from django.db import migrations

from gridgov.services import search


class Migration(migrations.Migration):
    dependencies = [("services", "0002_search")]
    operations = [
        migrations.RunPython(index.recreate_sqlite_table, migrations.RunPython.noop)
        for index in search.INDEXES
    ]
