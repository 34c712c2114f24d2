"""Saved filters: a user names the filters of a list or map page and opens them again later.

A page takes part by registering its URL name (`register("cases:workbench")`); the filters are
its query string, without paging (a cursor or page number is a position, not a filter) and
bounded like every parameter (core.params). Each user sees and deletes only their own.
"""

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from gridgov.core import params
from gridgov.core.errors import Refusal

MAX_PER_PAGE = 20
# Positions in a list, not filters.
NOT_KEPT = ("after", "cursor", "page", "csrfmiddlewaretoken")
PAGES: set[str] = set()


def register(page: str) -> None:
    PAGES.add(page)


def clean_query(query: str) -> str:
    """The query string to keep: parameters bounded by core.params, paging dropped."""
    kept = QueryDict(mutable=True)
    for name, values in QueryDict(params.text(query, "query", max_length=800)).lists():
        if name in NOT_KEPT:
            continue
        for value in values:
            if value:
                kept.appendlist(params.text(name, "query", max_length=50),
                                params.text(value, name))
    return kept.urlencode()[:800]


def for_page(user, page: str):
    from gridgov.core.models import SavedFilter

    return SavedFilter.objects.filter(user=user, page=page) if user.is_authenticated else (
        SavedFilter.objects.none())


def save(user, *, page: str, name: str, query: str):
    """Keep (or replace) the user's filters named `name` on `page`."""
    from gridgov.core.models import SavedFilter

    if page not in PAGES:
        raise Refusal("invalid_page", _("该页面不能保存筛选"), "page")
    name = params.text(name, "name", max_length=30)
    if not name:
        raise Refusal("required", _("请填写筛选的名称"), "name")
    query = clean_query(query)
    with transaction.atomic():
        existing = SavedFilter.objects.select_for_update().filter(user=user, page=page)
        if not existing.filter(name=name).exists() and existing.count() >= MAX_PER_PAGE:
            raise Refusal("too_many", _("每个页面最多保存%(max)d个筛选") % {"max": MAX_PER_PAGE},
                          "name")
        try:
            saved, _created = SavedFilter.objects.update_or_create(
                user=user, page=page, name=name, defaults={"query": query})
        except IntegrityError:  # saved twice at once: the other request's row stands
            saved = SavedFilter.objects.get(user=user, page=page, name=name)
    return saved


def delete(user, pk: int) -> str:
    """Delete one of the user's own saved filters; the page it was for."""
    from gridgov.core.models import SavedFilter

    saved = SavedFilter.objects.filter(user=user, pk=pk).first()
    if saved is None:
        raise Refusal("not_found", _("未找到该筛选"), status=404)
    saved.delete()
    return saved.page
