"""Imports each module named on standard input in a process of its own, fresh as far as gridgov goes.

Run as a script (`python -I fresh_import_worker.py < request.json`, the request being
{"modules": [...], "path": [folders to import from first]}) by test_imports.py.

A module of a Django project is imported, in every real process (the `gridgov` command, the WSGI
server, pytest), after `django.setup()`, which imports each app's models and runs its ready(). So
"alone in a fresh interpreter" means: a new interpreter, Django set up, then `import module`. This
worker does the first two once (and loads the libraries), then forks a child per module: a fork
is an exact copy of that state, the same as a new interpreter would reach by the same
deterministic steps, and the child's import is the first import of the module and of everything
it pulls in beyond setup. Nothing is unloaded or reset between modules: each child starts from the
untouched parent and is thrown away. The answer, on standard output, is {module: traceback or ""}.
"""

import importlib
import json
import os
import sys
import traceback

os.environ["DJANGO_SETTINGS_MODULE"] = "gridgov.settings"

# Libraries that are slow to import and do not need Django's app registry; loading them here once
# changes nothing about gridgov's own import order.
PRELOAD = (
    "django.db.models", "django.forms", "django.template.defaulttags", "django.test",
    "django.contrib.admin.options", "ninja", "pydantic", "shapely", "numpy", "openpyxl",
    "PIL.Image", "cryptography.fernet", "chinese_calendar", "pytest",
    "factory", "time_machine",
)


def preload() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001  a library missing or refusing before setup: import it later
            pass
    # The settings are read by Django before any app, in every process alike.
    leaked = sorted(name for name in sys.modules if name.partition(".")[0] == "gridgov"
                    and name not in ("gridgov", "gridgov.settings"))
    if leaked:
        raise SystemExit(f"the preload imported gridgov modules: {leaked}")


def import_alone(name: str) -> str:
    """The traceback of importing `name` in a forked child, or "" when it imported."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            importlib.import_module(name)
            answer = ""
        except BaseException:  # noqa: BLE001  every failure is the answer
            answer = traceback.format_exc()
        with os.fdopen(write_end, "w", encoding="utf-8") as pipe:
            pipe.write(answer)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as pipe:
        answer = pipe.read()
    _pid, status = os.waitpid(pid, 0)
    if status and not answer:
        answer = f"the child importing {name} ended with status {status}"
    return answer


def main() -> None:
    request = json.load(sys.stdin)
    sys.path[:0] = request["path"]
    preload()
    import django

    django.setup()
    json.dump({name: import_alone(name) for name in request["modules"]}, sys.stdout)


if __name__ == "__main__":
    main()
