"""Search of two-character terms (井盖, 垃圾), which trigrams cannot answer (gridgov/cases/search.py).

SQLite: a contentless FTS5 table of the character pairs of each case's description and address,
kept in sync by triggers. PostgreSQL: a GIN index on gridgov_pairs(description, address).
"""

from django.db import migrations

from gridgov.cases import search


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_unclosed_due_covering")]
    operations = [migrations.RunPython(search.PAIRS.install, search.PAIRS.uninstall)]
