"""End-to-end fixtures: the local runtime (`python -m infra.local`) as a real subprocess.

    def test_something(runtime):
        token = runtime.token("officer", "officer-1", region="431222")
        response = runtime.get("/wishes", token=token)

`runtime` (session): the project's template.yaml (or MICROWISH_E2E_TEMPLATE), with the demo data
unless MICROWISH_E2E_SEED=0. `start_runtime(template, seed=...)` starts another one (the caller
stops it). Each runtime gets free ports; at the end it is stopped with SIGTERM and must exit 0.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
FIXTURE_TEMPLATE = REPO / "tests" / "local" / "fixtures" / "app" / "template.yaml"
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RuntimeProcess:
    """A running `python -m infra.local`: its URL, its log, helpers for requests."""

    def __init__(self, template: Path, *, seed: bool = True, env: dict[str, str] | None = None) -> None:
        self.template = template
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the process's life
            prefix="microwish-runtime-", suffix=".log", delete=False
        )
        self.log_path = Path(self.log_file.name)
        child_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        child_env.update(
            PORT=str(self.port),
            MICROWISH_TEMPLATE=str(template),
            MICROWISH_SEED="1" if seed else "0",
            PYTHONUNBUFFERED="1",
            **(env or {}),
        )
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infra.local"],
            cwd=REPO,
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        self.http = requests.Session()
        # Tests fire dozens of concurrent requests: keep a connection for each.
        self.http.mount("http://", requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=64))
        self.startup_seconds: float | None = None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "\nREADY " in "\n" + self.log():
                self.startup_seconds = time.monotonic() - self.started
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"the runtime exited ({self.process.returncode}):\n{self.log()[-4000:]}")
            time.sleep(0.1)
        raise RuntimeError(f"the runtime was not ready after {timeout:.0f} s:\n{self.log()[-4000:]}")

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """SIGTERM, then wait; returns the exit status (kills it if it does not stop in time)."""
        self.http.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                self.log_file.close()
                return -9
        self.log_file.close()
        return self.process.returncode

    # --- helpers ------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        kwargs.setdefault("timeout", 60)
        return self.http.request(method, self.url + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def token(self, role: str, sub: str, region: str | None = None, name: str | None = None) -> str:
        body: dict[str, str] = {"role": role, "sub": sub}
        if region is not None:
            body["region"] = region
        if name is not None:
            body["name"] = name
        response = self.post("/dev/tokens", json=body)
        assert response.status_code == 201, response.text
        return response.json()["token"]

    def describe(self) -> dict[str, Any]:
        return self.get("/dev/runtime").json()


def start_runtime(template: Path, *, seed: bool = True, env: dict[str, str] | None = None) -> RuntimeProcess:
    runtime = RuntimeProcess(template, seed=seed, env=env)
    try:
        runtime.wait_ready()
    except BaseException:
        runtime.stop()
        raise
    return runtime


# --- on a failure, show what the runtime logged during that test ---------------------------------------


def _runtimes(item: pytest.Item) -> list[RuntimeProcess]:
    args = getattr(item, "funcargs", {}) or {}
    return [value for value in args.values() if isinstance(value, RuntimeProcess)]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    for runtime in _runtimes(item):
        runtime.mark = len(runtime.log())
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for runtime in _runtimes(item):
            text = runtime.log()[getattr(runtime, "mark", 0) :]
            lines = text.splitlines()[-150:]
            report.sections.append((f"runtime log ({runtime.template.name}, during the test)", "\n".join(lines)))


def _stop_checked(runtime: RuntimeProcess) -> None:
    status = runtime.stop()
    log = runtime.log()
    runtime.log_path.unlink(missing_ok=True)
    assert status == 0, f"the runtime did not stop cleanly (exit {status}):\n{log[-4000:]}"


@pytest.fixture(scope="session")
def runtime():
    template = Path(os.environ.get("MICROWISH_E2E_TEMPLATE") or REPO / "template.yaml")
    if not template.exists():
        pytest.skip(f"no template at {template}")
    process = start_runtime(template, seed=os.environ.get("MICROWISH_E2E_SEED", "1") != "0")
    yield process
    _stop_checked(process)


@pytest.fixture(scope="session")
def fixture_runtime():
    """A runtime of the small fixture app (tests/local/fixtures/app), for the runtime's own tests."""
    process = start_runtime(FIXTURE_TEMPLATE, seed=False)
    yield process
    _stop_checked(process)


@pytest.fixture
def spawn_runtime():
    """start_runtime(template, seed=..., env=...) for a test that needs its own runtime (it stops it)."""
    return start_runtime


@pytest.fixture(scope="session")
def fixture_template() -> Path:
    return FIXTURE_TEMPLATE
