"""Indexes for the catalogue's Chinese search (queried by gridgov/services/search.py).

Trigrams of ServiceItem.search_text for terms of three characters or more (SQLite: an FTS5 table
with the trigram tokenizer, external content; PostgreSQL: a pg_trgm GIN index answering LIKE) and
its character pairs for two-character words (SQLite: a contentless FTS5 table; PostgreSQL: a GIN
index on gridgov_pairs(), the function cases' 0011_pair_search installs). SQLite's are kept in
step by triggers.
"""

from django.db import migrations

from gridgov.services import search


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial"), ("cases", "0011_pair_search")]
    operations = [
        migrations.RunPython(search.TRIGRAMS.install, search.TRIGRAMS.uninstall),
        migrations.RunPython(search.PAIRS.install, search.PAIRS.uninstall),
    ]
