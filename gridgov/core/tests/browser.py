"""Browser windows for the Playwright tests of every app (fixtures in the root conftest.py).

A Screen is one person's browser: a context of its own on the live server, sized as a phone or a
desktop window, Chinese locale, its JavaScript errors collected, its screenshots numbered in
test-artifacts/browser/ in the order they were taken.
"""

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"
TIMEOUT_MS = 15_000
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


class NetworkCheck:
    """Every request a page makes, for a test to assert that no asset answered 404 and nothing
    left the local server (no CDN, no tile server, no font service): call assert_clean()."""

    LOCAL = {"127.0.0.1", "localhost"}

    def __init__(self, page):
        self.missing, self.outside = [], []
        page.on("response", lambda response: response.status == 404
                and self.missing.append(response.url))
        page.on("request", self._sent)

    def _sent(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in self.LOCAL:
            self.outside.append(request.url)

    def assert_clean(self):
        assert not self.missing, f"answered 404: {self.missing}"
        assert not self.outside, f"requests leaving 127.0.0.1: {self.outside}"


class Screen:
    counter = 0

    def __init__(self, browser, base_url, *, device=PHONE, **context):
        self.context = browser.new_context(locale="zh-CN", **device, **context)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # Recorded for every window; asserted where a test asks (screen.network.assert_clean()).
        self.network = NetworkCheck(self.page)

    def go(self, path):
        response = self.page.goto(self.base_url + path)
        assert response.ok, f"{path}: HTTP {response.status}"

    def shot(self, name, *, full_page=True):
        Screen.counter += 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SHOTS / f"{Screen.counter:02d}-{name}.png", full_page=full_page)

    def close(self):
        assert not self.errors, f"JavaScript errors: {self.errors}"
        self.context.close()
