"""Every module of gridgov imports on its own, and imports point down the layers only.

The first test asks, for each module, what `python -c "import django; django.setup(); import
gridgov.x.y"` would answer: each is imported in a forked child of a worker that set Django up and
imported nothing else of gridgov (fresh_import_worker.py says why that is the same), a few
workers side by side. An import cycle shows up as the module that enters it first failing, e.g.
an app's API router that takes a name from gridgov.api, which imports that router.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import gridgov

ROOT = Path(gridgov.__file__).parent
WORKER = Path(__file__).with_name("fresh_import_worker.py")
WORKERS = 2


def module_names() -> list[str]:
    names = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def import_each_alone(names: list[str], path: tuple[str, ...] = ()) -> dict[str, str]:
    """{module: the traceback of importing it alone, or ""}."""
    batches = [names[i::WORKERS] for i in range(WORKERS)]
    workers = [subprocess.Popen([sys.executable, "-I", str(WORKER)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _batch in batches]
    for worker, batch in zip(workers, batches):
        worker.stdin.write(json.dumps({"modules": batch, "path": list(path)}))
        worker.stdin.close()
    answers = {}
    for worker in workers:
        out, err = worker.stdout.read(), worker.stderr.read()
        assert worker.wait() == 0, err
        answers.update(json.loads(out))
    return answers


def test_the_module_list_covers_apps_tests_and_migrations():
    names = module_names()
    assert {"gridgov.api", "gridgov.cases.api", "gridgov.core.scope", "gridgov.grids.io.errors",
            "gridgov.core.migrations.0002_audit_append_only"} <= set(names)
    assert "gridgov.core.tests.test_imports" in names


def test_every_module_imports_alone_in_a_fresh_interpreter():
    failures = {name: trace for name, trace in import_each_alone(module_names()).items() if trace}
    assert not failures, "\n\n".join(f"{name}:\n{trace}" for name, trace in failures.items())


def test_the_check_catches_a_module_that_needs_another_first(tmp_path):
    # The shape of the old cycle: a hub that mounts a spoke, the spoke taking a name from the hub.
    # Imported hub first, all is well; spoke first, it fails. Each is tried in its own child, so
    # the spoke's failure shows although the hub imports fine.
    package = tmp_path / "cyclepkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "hub.py").write_text("REFUSAL = 1\nfrom cyclepkg.spoke import ROUTER\n")
    (package / "spoke.py").write_text("from cyclepkg.hub import REFUSAL\nROUTER = 2\n")
    answers = import_each_alone(["cyclepkg.hub", "cyclepkg.spoke", "cyclepkg"], (str(tmp_path),))
    assert answers["cyclepkg.hub"] == answers["cyclepkg"] == ""
    assert "ImportError" in answers["cyclepkg.spoke"]


def test_imports_point_down_the_layers():
    """The import-linter contract in pyproject.toml: core <- accounts <- grids <- cases <- demo."""
    project = ROOT.parent
    if not (project / "pyproject.toml").exists():
        pytest.skip("runs from a source checkout: pyproject.toml holds the contract")
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter), "--no-cache"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
