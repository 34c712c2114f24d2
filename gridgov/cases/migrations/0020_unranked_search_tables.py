"""SQLite's search tables rebuilt without what no search reads (gridgov.core.textsearch.UNRANKED
and PAIR_TABLE): the words counted per case for ranking, and where in a case each pair stands.
A report wrote about three pages of the log for them. PostgreSQL's indexes are unchanged."""

from django.db import migrations

from gridgov.cases import search


class Migration(migrations.Migration):
    dependencies = [("cases", "0019_supervision_queue_index")]
    operations = [
        migrations.RunPython(index.recreate_sqlite_table, migrations.RunPython.noop)
        for index in search.INDEXES
    ]
