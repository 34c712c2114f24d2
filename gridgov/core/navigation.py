"""The menu and the home page's to-do list: each app registers its menu entries and a source of
to-dos in AppConfig.ready(); a user is shown the entries their roles open and the counts of what
waits for them. Showing is a courtesy: every view still checks on its own."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    roles: frozenset[str] | None  # None: everyone, signed in or not
    order: int
    signed_in: bool = False  # only for a signed-in user (whatever their roles), e.g. 我的反映


_ITEMS: list[NavItem] = []


def register(label, url_name, icon="•", roles=None, order=100, *, signed_in=False) -> None:
    item = NavItem(str(label), url_name, icon, frozenset(roles) if roles is not None else None, order,
                   signed_in)
    if item not in _ITEMS:
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda i: i.order)


def items_for(user, roles: set[str], path: str) -> list[dict]:
    visible = []
    for item in _ITEMS:
        if item.roles is not None and not (roles & item.roles or user.is_superuser):
            continue
        if item.signed_in and not getattr(user, "is_authenticated", False):
            continue
        url = reverse(item.url_name)
        visible.append({"label": item.label, "url": url, "icon": item.icon,
                        "active": url != "/" and path.startswith(url)})
    return visible


@dataclass(frozen=True)
class Todo:
    """A count of things waiting for the user, and where to go to work on them ("" when the
    user has no page for them: the count is shown, never a link that would answer 403)."""

    label: str
    count: int
    url: str = ""


# source(user, roles) -> the user's to-dos in that app, in the order the app wants them shown.
TodoSource = Callable[[object, set[str]], Iterable[Todo]]
_TODO_SOURCES: list[TodoSource] = []


def register_todos(source: TodoSource) -> None:
    if source not in _TODO_SOURCES:
        _TODO_SOURCES.append(source)


def todos_for(user, roles: set[str]) -> list[Todo]:
    return [todo for source in _TODO_SOURCES for todo in source(user, roles)]


@dataclass(frozen=True)
class Panel:
    """A few figures on the home page beside the to-dos: what a role looks at rather than works
    through (a leader's month, a deputy's constituency). `url` leads to more where the reader
    has a page for it ("" otherwise); `note` says in a sentence what the figures are."""

    title: str
    figures: tuple[tuple[str, str], ...]  # (label, value as shown)
    url: str = ""
    link_label: str = ""
    note: str = ""


PanelSource = Callable[[object, set[str]], Iterable[Panel]]
_PANEL_SOURCES: list[PanelSource] = []


def register_panels(source: PanelSource) -> None:
    if source not in _PANEL_SOURCES:
        _PANEL_SOURCES.append(source)


def panels_for(user, roles: set[str]) -> list[Panel]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [panel for source in _PANEL_SOURCES for panel in source(user, roles)]
