"""Searching the catalogue in Chinese: every term must appear somewhere in the item's text.

Chinese has no spaces between words and most words have two characters (外卖, 骑手, 充电), so
a search must find any run of characters inside the text. The cases' search (gridgov.cases.
search) needs two indexes for that — trigrams, and character pairs for two-character words —
because a town's cases run to a million rows. A town's catalogue holds a few hundred items
(the package is "76 项"); even a district's 50,000 rows are searched by one scan of a single
lower-cased column (`ServiceItem.search_text`, kept by save()) in a few milliseconds on either
database (bench/services.py, docs/benchmarks.md), and a scan finds one, two or more characters
alike, with no index to keep in step. The query is split into terms as the cases' search splits
it (same bounds), and items whose name holds the terms come first.
"""

from django.db import connection
from django.db.models import BooleanField, Case, Count, IntegerField, Q, Value, When, Window
from django.db.models.expressions import RawSQL

from gridgov.cases.search import terms

# A substring test without LIKE's pattern and case folding (the column is lower-cased already):
# SQLite's instr() and PostgreSQL's strpos() read the text once, about twice as fast as LIKE.
POSITION = {"sqlite": "instr", "postgresql": "strpos"}


def contains(column: str, term: str) -> Q:
    function = POSITION.get(connection.vendor)
    if function is None:
        return Q(**{f"{column}__contains": term})
    table = "services_serviceitem"
    return Q(RawSQL(f'{function}("{table}"."{column}", %s) > 0', [term],  # nosec B611  # column and function are this module's own; the term is a parameter
                    output_field=BooleanField()))


def matching(items, text: str):
    """Items of `items` whose text contains every term of `text` (at most five terms of at most
    100 characters in all), in no particular order: what a count reads."""
    for word in (w.lower() for w in terms(text)):
        items = items.filter(contains("search_text", word))
    return items


def ranked(items, text: str):
    """`items` with those whose name holds every term first, then by code (the catalogue's own
    numbering), which needs no join to sort."""
    in_name = Q()
    for word in (w.lower() for w in terms(text)):
        in_name &= contains("name", word)
    return items.annotate(
        name_rank=Case(When(in_name, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("name_rank", "code")


def search(items, text: str):
    """The matching items, ranked (a queryset, for short lists)."""
    if not terms(text):
        return items
    return ranked(matching(items, text), text)


def search_page(items, text: str, offset: int, size: int, related=()) -> tuple[int, list]:
    """(how many match, the page of rows) in one pass over the matches: the page's ids sorted on
    two narrow columns, each carrying the count of all matches (a window over the whole
    result), then those rows alone read whole with `related`. Sorting whole rows of every match,
    or scanning once for the count and again for the page, is what makes a search slow."""
    found = matching(items, text) if terms(text) else items
    ordered = ranked(found, text) if terms(text) else found
    keys = list(ordered.annotate(matches=Window(Count("pk")))
                .values_list("pk", "matches")[offset:offset + size])
    total = keys[0][1] if keys else (found.count() if offset else 0)
    ids = [pk for pk, _matches in keys]
    rows = items.model.objects.select_related(*related).in_bulk(ids)
    return total, [rows[pk] for pk in ids]
