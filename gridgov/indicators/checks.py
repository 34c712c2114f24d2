"""A system check: the dashboard's chart library is installed (`make assets`), since it is no
Python package and a missing file would break the dashboard only when a leader opens it."""

from django.core import checks

ECHARTS = "echarts/echarts.common.min.js"


@checks.register(checks.Tags.staticfiles)
def echarts_installed(app_configs=None, **kwargs):
    from django.contrib.staticfiles import finders

    if finders.find(ECHARTS):
        return []
    return [checks.Warning(
        f"{ECHARTS} is not among the static files: the dashboard's charts cannot load.",
        hint="Run `make assets` (npm ci on assets/package-lock.json), or set GRIDGOV_ASSETS_DIR "
             "to a folder holding echarts/echarts.common.min.js, then collectstatic.",
        id="gridgov.indicators.W001")]
