"""The menu: each app registers its entries in AppConfig.ready(); the menu shows a user the ones
their roles open. Showing is a courtesy: every view still checks on its own."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    roles: frozenset[str] | None  # None: everyone, signed in or not
    order: int


_ITEMS: list[NavItem] = []


def register(label, url_name, icon="•", roles=None, order=100) -> None:
    item = NavItem(str(label), url_name, icon, frozenset(roles) if roles is not None else None, order)
    if item not in _ITEMS:
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda i: i.order)


def items_for(user, roles: set[str], path: str) -> list[dict]:
    visible = []
    for item in _ITEMS:
        if item.roles is not None and not (roles & item.roles or user.is_superuser):
            continue
        url = reverse(item.url_name)
        visible.append({"label": item.label, "url": url, "icon": item.icon,
                        "active": url != "/" and path.startswith(url)})
    return visible
