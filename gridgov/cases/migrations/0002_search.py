"""Full-text search of case descriptions and addresses (queried by gridgov/cases/search.py).

SQLite: an FTS5 table with the trigram tokenizer over cases_case (external content, so the text
is stored once), kept in sync by triggers. PostgreSQL: pg_trgm GIN indexes that answer ILIKE.
"""

from django.db import migrations

from gridgov.cases import search


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(search.TRIGRAMS.install, search.TRIGRAMS.uninstall)]
