"""Unsafe defaults are refused at start, and the production environment the README documents
passes `gridgov check --deploy` without a warning. Each case starts the settings in a fresh
interpreter, as a server would, with only the environment given."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# Everything the settings read that the machine running the tests might have set.
OURS = re.compile(r"^(DEBUG|SECRET_KEY|GRIDGOV_.*|SECURE_.*|ALLOWED_HOSTS|CSRF_.*|DATABASE_URL|"
                  r"REDIS_URL|DJANGO_SETTINGS_MODULE)(_FILE)?$")
KEY = secrets.token_urlsafe(50)


def run(tmp_path, *command, **env):
    clean = {name: value for name, value in os.environ.items() if not OURS.match(name)}
    clean.update(GRIDGOV_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="gridgov.settings", **env)
    return subprocess.run([sys.executable, *command], cwd=ROOT, env=clean, capture_output=True,
                          text=True, timeout=120)


def started(tmp_path, **env):
    return run(tmp_path, "-c", "import django; django.setup(); from django.conf import settings; "
               "print(repr(settings.GRIDGOV_LOGIN_CODE_CHANNEL))", **env)


@pytest.mark.parametrize("env", [
    {"GRIDGOV_PII_KEY": KEY},  # the finding: SECRET_KEY left out runs on the published one
    {"SECRET_KEY": KEY},
    {"SECRET_KEY": "gridgov-demo-only-not-secret", "GRIDGOV_PII_KEY": KEY},
    {"SECRET_KEY": KEY, "GRIDGOV_PII_KEY": f"{KEY}x,gridgov-demo-pii-key-not-secret"},
], ids=["pii-key-only", "secret-key-only", "demo-secret-key", "demo-pii-key"])
def test_a_published_key_is_refused_outside_the_demo(tmp_path, env):
    result = started(tmp_path, **env)

    assert result.returncode != 0
    assert "Set both SECRET_KEY and GRIDGOV_PII_KEY" in result.stderr


def test_the_demo_and_development_run_on_the_published_keys(tmp_path):
    assert started(tmp_path).returncode == 0
    assert started(tmp_path, GRIDGOV_PII_KEY=KEY, GRIDGOV_DEMO="1").returncode == 0
    assert started(tmp_path, GRIDGOV_PII_KEY=KEY, DEBUG="true").returncode == 0


def test_the_console_sms_sender_is_refused_outside_the_demo(tmp_path):
    keys = {"SECRET_KEY": KEY, "GRIDGOV_PII_KEY": KEY + "p"}

    refused = started(tmp_path, GRIDGOV_LOGIN_CODE_CHANNEL="console", **keys)
    unset = started(tmp_path, **keys)

    assert refused.returncode != 0 and "console sender" in refused.stderr
    assert (unset.returncode, unset.stdout.strip()) == (0, "''")
    assert started(tmp_path).stdout.strip() == "'console'"


def readme_production_environment() -> dict[str, str]:
    """The variables of the README's production block, each "..." a fresh secret."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- production environment[^>]*-->\s*```sh\n(.*?)```", text, re.S)
    assert block, "README.md lost its production environment block"
    env = {}
    for name, value in re.findall(r"^([A-Z_]+)=(\S+)", block.group(1), re.M):
        env[name] = secrets.token_urlsafe(50) if value == "..." else value
    return env


def test_check_deploy_is_clean_with_the_readmes_production_environment(tmp_path):
    env = readme_production_environment()
    assert {"SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
            "SECURE_COOKIES", "SECRET_KEY", "GRIDGOV_PII_KEY"} <= env.keys()

    result = run(tmp_path, "-m", "gridgov", "check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_without_it(tmp_path):
    result = run(tmp_path, "-m", "gridgov", "check", "--deploy", "--fail-level", "WARNING",
                 SECRET_KEY=KEY, GRIDGOV_PII_KEY=KEY + "p")

    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr
