import pytest

from gridgov.demo import loaders, registry
from gridgov.grids.models import Town

pytestmark = pytest.mark.django_db


def loader(name, *after):
    return registry.Loader(name, lambda context: None, after)


def as_dict(*items):
    return {item.name: item for item in items}


def test_loaders_run_after_the_ones_they_need():
    order = registry.ordered(as_dict(
        loader("cases", "registry", "demo_accounts"),
        loader("demo_accounts", "registry", "people"),
        loader("people", "registry"),
        loader("registry"),
        loader("visits", "cases"),
    ))

    assert [item.name for item in order] == ["registry", "people", "demo_accounts", "cases",
                                             "visits"]


def test_a_last_loader_runs_after_every_other_one():
    order = registry.ordered(as_dict(
        registry.Loader("indicators", lambda context: None, ("cases",), last=True),
        loader("cases", "registry"),
        loader("registry"),
        loader("visits"),
    ))

    assert [item.name for item in order][-1] == "indicators"


def test_only_takes_the_named_loaders_with_their_dependencies():
    loaders = as_dict(loader("registry"), loader("people", "registry"),
                      loader("demo_accounts", "registry", "people"), loader("cases", "registry"))

    order = registry.ordered(loaders, only=["demo_accounts"])

    assert [item.name for item in order] == ["registry", "people", "demo_accounts"]


def test_unknown_dependency_is_an_error():
    with pytest.raises(registry.RegistryError, match="unknown"):
        registry.ordered(as_dict(loader("cases", "registry")))


def test_circular_dependency_is_an_error():
    with pytest.raises(registry.RegistryError, match="circle"):
        registry.ordered(as_dict(loader("a", "b"), loader("b", "a")))


def test_the_demo_app_registers_its_own_loaders():
    registry.discover()

    names = [item.name for item in registry.ordered()]
    assert names.index("registry") < names.index("people") < names.index("demo_accounts")


def test_a_failing_loader_leaves_nothing_behind(monkeypatch):
    def boom(context):
        raise RuntimeError("a later app's demo data is broken")

    registry.discover()  # imported now, so that no app's demo module registers into the stand-in
    monkeypatch.setattr(registry, "_LOADERS", {
        "registry": registry.Loader("registry", loaders.load_registry, ()),
        "broken": registry.Loader("broken", boom, ("registry",)),
    })

    with pytest.raises(RuntimeError):
        registry.load_all(registry.DemoContext(write=lambda line: None))

    assert not Town.objects.exists()


def test_invented_data_is_the_same_on_every_run():
    context = registry.DemoContext()

    assert context.random("names").random() == registry.DemoContext().random("names").random()
    assert context.random("names").random() != context.random("other").random()
