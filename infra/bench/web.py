"""The wish wall's weight and speed on a cheap phone on a bad network.

    python -m infra.bench.web      (make bench runs it; needs web/dist, `make web`, and Chromium)

Prints the JavaScript and CSS the wall route (/app/) loads, gzip-compressed, against the budget
(150 KB), then, in Chromium with the CPU throttled 4× and DevTools' "Slow 3G" network (2,000 ms
round trip, 50 kB/s each way), the time from navigation to the first wish card on screen, next
to the page's own API call (GET /wishes?limit=20) timed alone in the same throttled page. Starts
its own local runtime (with the demo data) on a free port. Exits 1 when the wall is over budget.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
BUDGET_BYTES = 150 * 1024
RUNS = int(os.environ.get("BENCH_WEB_RUNS", "3"))
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
CPU_SLOWDOWN = 4
FIRST_CARD = """
window.__firstCard = null;
new MutationObserver((_, observer) => {
  if (!document.querySelector('[data-test="wish-card"]')) return;
  window.__firstCard = performance.now();
  observer.disconnect();
}).observe(document, { childList: true, subtree: true });
"""


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_runtime() -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="bench-web-", suffix=".log")[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(PORT=str(port), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if "\nREADY " in "\n" + log.read_text(errors="replace"):
            return process, f"http://127.0.0.1:{port}", log
        if process.poll() is not None:
            break
        time.sleep(0.3)
    process.kill()
    raise SystemExit(f"the local runtime did not start:\n{log.read_text(errors='replace')[-3000:]}")


def main() -> int:
    if not (DIST / "index.html").exists():
        print("web/dist is not built: run `make web` first", file=sys.stderr)
        return 2
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    from playwright.sync_api import sync_playwright

    process, base, log = start_runtime()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            # 1. What the wall route loads: every script and stylesheet until the first card.
            context = browser.new_context(viewport={"width": 390, "height": 844})
            page = context.new_page()
            loaded: dict[str, int] = {}

            def keep(response) -> None:
                url = response.url
                if re.search(r"\.(js|css)(\?|$)", url) and response.ok:
                    loaded[url.rsplit("/", 1)[-1]] = gzip_size(response.body())

            page.on("response", keep)
            page.goto(base + "/app/")
            page.wait_for_selector('[data-test="wish-card"]', timeout=60_000)
            page.wait_for_load_state("networkidle")
            context.close()
            js = sum(size for name, size in loaded.items() if name.endswith(".js"))
            css = sum(size for name, size in loaded.items() if name.endswith(".css"))
            print("wall route (/app/) JavaScript and CSS, gzip -9:")
            for name, size in sorted(loaded.items(), key=lambda item: -item[1]):
                print(f"  {size / 1024:7.1f} KB  {name}")
            total = js + css
            verdict = "within" if total <= BUDGET_BYTES else "OVER"
            print(
                f"  JS {js / 1024:.1f} KB + CSS {css / 1024:.1f} KB = {total / 1024:.1f} KB gzip "
                f"({verdict} the {BUDGET_BYTES // 1024} KB budget)"
            )

            # 2. Time to first card, CPU 4× slower and Slow 3G, cold cache each run.
            first_cards, api_alone = [], []
            for _ in range(RUNS):
                context = browser.new_context(viewport={"width": 390, "height": 844})
                page = context.new_page()
                page.add_init_script(FIRST_CARD)
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                cdp.send("Network.emulateNetworkConditions", SLOW_3G)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
                page.goto(base + "/app/", timeout=180_000)
                # (wait_for_function would evaluate a string: our CSP forbids that, rightly.)
                page.wait_for_selector('[data-test="wish-card"]', timeout=180_000)
                first_cards.append(page.evaluate("window.__firstCard"))
                api_alone.append(
                    page.evaluate("""async () => {
                  const started = performance.now();
                  const response = await fetch('/wishes?limit=20', { cache: 'no-store' });
                  await response.json();
                  return performance.now() - started;
                }""")
                )
                context.close()
            browser.close()
        print(
            f"time to first card, CPU {CPU_SLOWDOWN}× slower, Slow 3G (2,000 ms RTT, 50 kB/s), "
            f"cold cache, median of {RUNS}:"
        )
        print(
            f"  first card on screen  {statistics.median(first_cards) / 1000:6.2f} s "
            f"(runs: {', '.join(f'{t / 1000:.2f}' for t in first_cards)})"
        )
        print(
            f"  GET /wishes alone     {statistics.median(api_alone) / 1000:6.2f} s "
            f"(runs: {', '.join(f'{t / 1000:.2f}' for t in api_alone)})"
        )
        return 0 if total <= BUDGET_BYTES else 1
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
