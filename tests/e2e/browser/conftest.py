"""Browser tests of the web app: Debian's Chromium (Playwright for Python) against the local runtime.

The app must be built (`make web`; `make test` does it). Each journey runs twice: on a phone
(414 px) and at 360 px in age-friendly mode. Every page visited gets an axe-core check (no serious
or critical violation) and a screenshot in build/screenshots/ (SCREENSHOTS_DIR to change it).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

# The local runtime runs every function in a worker process: give slow first calls room.
expect.set_options(timeout=20_000)

REPO = Path(__file__).resolve().parents[3]
DIST = REPO / "web" / "dist" / "index.html"
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or REPO / "build" / "screenshots")
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

VARIANTS = {
    "phone": {"viewport": {"width": 414, "height": 860}, "elder": False},
    "360-elder": {"viewport": {"width": 360, "height": 740}, "elder": True},
}
# Officers at a county office desk (the workbench's tests use it alone; see test_console.py).
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "elder": False}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk")
    if not DIST.exists():
        pytest.fail("the web app is not built: run `make web` (make test does it)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], chromium_path: str) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": chromium_path, "args": ["--no-sandbox"]}


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture(params=list(VARIANTS))
def variant(request: pytest.FixtureRequest) -> str:
    return request.param


class Person:
    """One person in their own browser context, signed in (or not) as a role of /dev/tokens."""

    def __init__(
        self,
        browser: Any,
        runtime: Any,
        variant: str,
        shots: Path,
        role: str | None = None,
        sub: str | None = None,
        region: str | None = None,
        name: str | None = None,
    ) -> None:
        settings = VARIANTS.get(variant) or DESKTOP
        self.variant = variant
        self.runtime = runtime
        self.shots = shots
        self.context = browser.new_context(viewport=settings["viewport"], locale="zh-CN", device_scale_factor=1)
        self.context.set_default_timeout(30_000)
        self.problems: list[str] = []
        self.token = None
        if role:
            self.token = runtime.token(role, sub or f"{role}-{variant}", region=region, name=name)
            self.context.add_init_script(f"sessionStorage.setItem('mw.token', {json.dumps(self.token)})")
        if settings["elder"]:
            # Elder mode from the start, until the person switches it (the switch is remembered).
            self.context.add_init_script(
                "if (localStorage.getItem('mw.elder') === null) localStorage.setItem('mw.elder', '1')"
            )
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"CSP: {message.text}")

    def open(self, path: str) -> Any:
        self.page.goto(self.runtime.url + "/app" + path)
        return self.page

    def check(self, name: str) -> None:
        """Screenshot and axe-core: no serious or critical violation on this page."""
        from axe_playwright_python.sync_playwright import Axe

        page = self.page
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(self.shots / f"{name}-{self.variant}.png"), full_page=True)
        results = Axe().run(page)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        assert not bad, f"axe on {name}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in bad
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"{name} scrolls sideways: {width} px"
        assert not self.problems, self.problems

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def people(browser: Any, runtime: Any, variant: str, shots: Path):
    made: list[Person] = []

    def person(role: str | None = None, **kwargs: Any) -> Person:
        made.append(Person(browser, runtime, variant, shots, role, **kwargs))
        return made[-1]

    yield person
    for p in made:
        p.close()
