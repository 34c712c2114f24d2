"""Full-text search of cases in Chinese, where words are not separated by spaces.

Both databases index character trigrams of the description and the address, so any run of three
or more characters is found through an index wherever it stands in a word: on SQLite an FTS5
table with the trigram tokenizer (external content, kept in sync by triggers), on PostgreSQL
pg_trgm GIN indexes answering ILIKE. Both are created by migration 0002_search.

A trigram index cannot answer a term of one or two characters (井盖, 垃圾): such a term is matched
with a plain LIKE on the case rows, which the caller bounds by its other filters (scope, state,
dates) and by the page size — the workbench orders by an index and stops at the first page.

Terms separated by spaces must all match. A term that is a case number also finds that case.
"""

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

TRIGRAM = 3
MAX_TERMS = 5
MAX_QUERY_LENGTH = 100

def terms(text: str) -> list[str]:
    """The words of a query, at most a few, each at most a sentence long."""
    return (text or "")[:MAX_QUERY_LENGTH].split()[:MAX_TERMS]


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _condition(sql: str, params) -> RawSQL:
    return RawSQL(sql, params, output_field=BooleanField())


def _term_condition(term: str, vendor: str) -> Q:
    pattern = _like_pattern(term)
    if vendor == "sqlite" and len(term) >= TRIGRAM:
        phrase = '"' + term.replace('"', '""') + '"'
        text = Q(pk__in=RawSQL(
            "SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s", [phrase]
        ))
    elif vendor == "postgresql" and len(term) >= TRIGRAM:
        # ILIKE with three characters or more is answered by the gin_trgm_ops indexes.
        text = Q(_condition(
            '("cases_case"."description" ILIKE %s OR "cases_case"."address" ILIKE %s)',
            [pattern, pattern],
        ))
    elif vendor == "postgresql":
        # Too short for a trigram: strpos() keeps the planner off a full scan of the GIN index;
        # the rows come from the other filters' index instead.
        lowered = term.lower()
        text = Q(_condition(
            '(strpos(lower("cases_case"."description"), %s) > 0 '
            'OR strpos(lower("cases_case"."address"), %s) > 0)',
            [lowered, lowered],
        ))
    else:
        text = Q(_condition(
            "(\"cases_case\".\"description\" LIKE %s ESCAPE '\\' "
            "OR \"cases_case\".\"address\" LIKE %s ESCAPE '\\')",
            [pattern, pattern],
        ))
    return text | Q(number=term.upper())


def search(queryset, text: str):
    """Cases of `queryset` whose description or address contains every term of `text`."""
    words = terms(text)
    if not words:
        return queryset
    vendor = connection.vendor
    for word in words:
        queryset = queryset.filter(_term_condition(word, vendor))
    return queryset
