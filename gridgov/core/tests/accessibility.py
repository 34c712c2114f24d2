"""The accessibility check of the browser tests: axe-core (Deque's rules, shipped inside the
axe-playwright-python package, injected by Playwright, no CDN) run over the page as it stands,
and the violations that matter most — serious or critical — listed for the assertion."""

from axe_playwright_python.sync_playwright import Axe

BLOCKING = ("serious", "critical")
_AXE = Axe()


def serious_violations(page) -> list[str]:
    """Each serious or critical violation on the page as "rule (impact): help — selectors"."""
    results = _AXE.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
            for v in results.response["violations"] if v["impact"] in BLOCKING]


def assert_accessible(page, where: str) -> None:
    found = serious_violations(page)
    assert not found, f"{where}: " + "; ".join(found)
