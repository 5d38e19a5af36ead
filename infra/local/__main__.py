"""`make run` → `python -m infra.local`: the whole platform on this machine, from template.yaml.

    python -m infra.local [--template template.yaml] [--port 3000] [--no-seed] [--state-dir DIR [--fresh]]

Environment:
  PORT                          the API's port (default 3000)
  MOTO_PORT                     moto's port (default: a free one)
  MICROWISH_TEMPLATE            the SAM template (default: template.yaml)
  MICROWISH_LOCAL_CONCURRENCY   workers per function (default 4)
  MICROWISH_LOCAL_IDLE_SECONDS  stop a worker idle this long (default 600)
  MICROWISH_LOCAL_RELOAD=0      keep workers when their code changes (default: restart them)
  MICROWISH_LOCAL_RAW_LOGS=1    show Powertools' JSON log lines as they are (default: compact)
  MICROWISH_SEED=0              skip the demo data (infra.demo.seed)
  MICROWISH_STATE_DIR           the state folder: the data (a journal of moto's write calls,
                                replayed at the next start: see journal.py), the clock and the
                                outbox, kept across restarts (`make run` uses .local/state).
                                Default: a temporary folder, removed at exit
  MICROWISH_FRESH=1             with a state folder: forget what it holds, start empty

Prints `READY <api url>` when everything answers. Ctrl-C or SIGTERM stops the pollers, the
workers and moto, and exits 0.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {value!r}") from None


def main(argv: list[str] | None = None) -> int:
    from infra.local.runtime import REPO_ROOT, Console, Runtime, Settings

    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--template",
        type=Path,
        default=Path(os.environ.get("MICROWISH_TEMPLATE") or REPO_ROOT / "template.yaml"),
    )
    parser.add_argument("--port", type=int, default=_env_int("PORT", 3000))
    parser.add_argument("--moto-port", type=int, default=_env_int("MOTO_PORT", 0))
    parser.add_argument("--state-dir", type=Path, default=os.environ.get("MICROWISH_STATE_DIR") or None)
    parser.add_argument("--no-seed", action="store_true", default=os.environ.get("MICROWISH_SEED", "1") == "0")
    parser.add_argument(
        "--fresh",
        action="store_true",
        default=os.environ.get("MICROWISH_FRESH", "0") == "1",
        help="with --state-dir: forget what the state folder holds and start empty",
    )
    args = parser.parse_args(argv)
    if not args.template.exists():
        print(f"infra.local: no template at {args.template}", file=sys.stderr)
        return 2

    console = Console()
    runtime = Runtime(
        Settings(
            template=args.template,
            port=args.port,
            moto_port=args.moto_port,
            state_dir=args.state_dir,
            fresh=args.fresh,
            concurrency=max(1, _env_int("MICROWISH_LOCAL_CONCURRENCY", 4)),
            idle_seconds=float(_env_int("MICROWISH_LOCAL_IDLE_SECONDS", 600)),
            seed=not args.no_seed,
            reload=os.environ.get("MICROWISH_LOCAL_RELOAD", "1") != "0",
        ),
        console,
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set():  # a second Ctrl-C: children exit by themselves when our pipes close
            os._exit(1)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, on_signal)

    try:
        runtime.start()
    except BaseException as error:  # a busy port, a broken template, moto not starting...
        runtime.stop()
        if isinstance(error, KeyboardInterrupt):
            return 0
        console("runtime", f"could not start: {type(error).__name__}: {error}")
        return 1
    if stop.is_set():  # a signal arrived while starting
        runtime.stop()
        return 0
    console.plain(runtime.banner())
    console.plain(f"READY {runtime.api_url} {runtime.startup_seconds:.2f}s")
    while not stop.wait(3600):
        pass
    console("runtime", "stopping…")
    runtime.stop()
    console("runtime", "stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
