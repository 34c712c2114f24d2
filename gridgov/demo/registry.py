"""Demo data loaders of every app, run in dependency order by `gridgov load_demo`.

An app adds its own demo data in a module `gridgov/<app>/demo.py`:

    from gridgov.demo.registry import register

    @register("cases", after=("registry", "demo_accounts"))
    def load_cases(context):
        ...

A loader must be idempotent: it finds its records by natural keys (update_or_create, the
accounts actions' get-or-create) so that running `load_demo` again changes nothing. The whole run
is one transaction: a loader that fails leaves the database as it was.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter

from django.db import transaction
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class DemoAccount:
    """A log-in that load_demo prints at the end, for people trying the demo."""

    role: str
    phone: str
    name: str
    scope: str


@dataclass
class DemoContext:
    """What loaders share: where to report, the accounts to print, the town they fill."""

    write: Callable[[str], None] = print
    accounts: list[DemoAccount] = field(default_factory=list)
    town: object = None

    def random(self, purpose: str) -> random.Random:
        """A generator seeded by purpose, so that invented data is the same on every run."""
        return random.Random(f"gridgov-demo:{purpose}")  # nosec B311  # invented demo data, the same on every run


@dataclass(frozen=True)
class Loader:
    name: str
    function: Callable[[DemoContext], None]
    after: tuple[str, ...]
    # Runs after every loader that is not itself last: for what sums up the others' rows
    # (the indicators over every sample case, whichever app filed it).
    last: bool = False


_LOADERS: dict[str, Loader] = {}


class RegistryError(Exception):
    pass


def register(name: str, *, after: tuple[str, ...] = (), last: bool = False):
    def decorator(function):
        _LOADERS[name] = Loader(name, function, tuple(after), last)
        return function

    return decorator


def discover() -> None:
    """Import the demo app's own loaders and every installed app's `demo` module."""
    import gridgov.demo.loaders  # noqa: F401  (registers the town's registry and accounts)

    autodiscover_modules("demo")


def ordered(loaders: dict[str, Loader] | None = None, only=None) -> list[Loader]:
    """Loaders with each one after those it names in `after` (ties broken by name); with
    `only`, just those named and what they need."""
    loaders = _LOADERS if loaders is None else loaders
    for loader in loaders.values():
        missing = [name for name in loader.after if name not in loaders]
        if missing:
            raise RegistryError(f"demo loader {loader.name!r} needs unknown loader(s) {missing}")
    wanted = set(loaders) if only is None else _with_dependencies(loaders, only)
    firsts = {name for name in wanted if not loaders[name].last}
    sorter = TopologicalSorter({
        name: (*loaders[name].after, *(firsts if loaders[name].last else ())) for name in wanted})
    try:
        sorter.prepare()
    except CycleError as error:
        raise RegistryError(f"demo loaders depend on each other in a circle: {error.args[1]}")
    result = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        result.extend(loaders[name] for name in ready)
        sorter.done(*ready)
    return result


def _with_dependencies(loaders: dict[str, Loader], names) -> set[str]:
    unknown = [name for name in names if name not in loaders]
    if unknown:
        raise RegistryError(f"no demo loader named {unknown}; there are {sorted(loaders)}")
    wanted, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo.extend(loaders[name].after)
    return wanted


def load_all(context: DemoContext, only=None) -> DemoContext:
    discover()
    with transaction.atomic():
        for loader in ordered(only=only):
            context.write(f"· {loader.name}")
            loader.function(context)
    return context
