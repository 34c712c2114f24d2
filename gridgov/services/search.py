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

from django.db.models import Case, IntegerField, Q, Value, When

from gridgov.cases.search import terms


def _escaped(term: str) -> str:
    return term.lower()


def search(items, text: str):
    """Items of `items` whose text contains every term of `text` (at most five terms of at most
    100 characters in all), those whose name holds all terms first."""
    words = [_escaped(w) for w in terms(text)]
    if not words:
        return items
    in_name = Q()
    for word in words:
        items = items.filter(search_text__contains=word)
        in_name &= Q(name__icontains=word)
    return items.annotate(
        name_rank=Case(When(in_name, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("name_rank", *items.model._meta.ordering)
