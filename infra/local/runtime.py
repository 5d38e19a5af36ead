"""The whole local platform: moto, the stack, the HTTP API, pollers, schedules, workers.

    runtime = Runtime(Settings(template=Path("template.yaml"), port=3000))
    runtime.start()      # returns when everything answers
    ...
    runtime.stop()       # idempotent: pollers, server, workers, moto

See __main__.py for the command line, and the modules for each part:
stack.py (moto's CloudFormation), httpserver.py (routes, /dev), workers.py (handlers in
subprocesses), pollers.py (SQS, streams), schedules.py, auth.py, clock.py, motoserver.py.
"""

from __future__ import annotations

import importlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from infra.local.journal import JOURNAL_FILE, REPLAY_PATH

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_AUDIENCE = "micro-wish-local"
DEFAULT_REGION = "us-east-1"


STATE_PREFIX = "microwish-local-"
OWNER_FILE = "owner.pid"
_UNOWNED_GRACE_S = 24 * 3600  # a folder of an older runtime (no owner file) is left a day, then removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_state_dirs(root: Path | None = None) -> list[Path]:
    """Temporary state folders whose runtime died without cleaning up (SIGKILL): removed at the next start.

    A folder is stale when the process named in its owner file is gone; one without an owner file
    (an older runtime) when it is more than a day old. Live runtimes' folders are never touched.
    """
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(STATE_PREFIX + "*"):
        owner = folder / OWNER_FILE
        try:
            stale = (
                not _alive(int(owner.read_text(encoding="utf-8")))
                if owner.exists()
                else time.time() - folder.stat().st_mtime > _UNOWNED_GRACE_S
            )
        except (OSError, ValueError):
            continue
        if stale and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@dataclass
class Settings:
    template: Path
    port: int = 3000
    moto_port: int = 0  # 0: any free port
    host: str = "127.0.0.1"
    state_dir: Path | None = None  # None: a temporary directory, removed at exit; else kept (journal.py)
    fresh: bool = False  # with a state_dir: forget what it holds and start empty
    concurrency: int = 4  # workers per function
    idle_seconds: float = 600.0  # a worker idle this long is stopped
    seed: bool = True
    reload: bool = True  # restart a function's workers when its code or layers change
    region: str = DEFAULT_REGION
    stack_name: str = "microwish"
    python: str = field(default_factory=lambda: sys.executable)


# Keys of a Powertools JSON log line that say nothing new on a local console.
_QUIET_LOG_KEYS = {
    "level",
    "message",
    "timestamp",
    "service",
    "cold_start",
    "function_name",
    "function_memory_size",
    "function_arn",
    "function_request_id",
    "xray_trace_id",
    "location",
    "sampling_rate",
}


def compact_log_line(line: str) -> str:
    """A Powertools JSON log line as `INFO message key=value ...` (other lines unchanged)."""
    if not (line.startswith("{") and line.endswith("}")):
        return line
    try:
        record = json.loads(line)
    except ValueError:
        return line
    if not isinstance(record, dict) or "level" not in record or "message" not in record:
        return line
    extras = " ".join(
        f"{key}={json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value}"
        for key, value in record.items()
        if key not in _QUIET_LOG_KEYS
    )
    message = record["message"] if isinstance(record["message"], str) else json.dumps(record["message"])
    return f"{record['level']} {message}" + (f"  {extras}" if extras else "")


class Console:
    """One line per event, `HH:MM:SS [who] what`, safe from many threads.

    Powertools' JSON log lines are shown compact unless MICROWISH_LOCAL_RAW_LOGS=1.
    """

    def __init__(self, stream: Any = None, *, raw_logs: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.lock = threading.Lock()
        if raw_logs is None:
            raw_logs = os.environ.get("MICROWISH_LOCAL_RAW_LOGS", "0") == "1"
        self.raw_logs = raw_logs

    def __call__(self, who: str, message: str) -> None:
        if not self.raw_logs:
            message = compact_log_line(message)
        stamp = datetime.now().strftime("%H:%M:%S")
        with self.lock:
            try:
                self.stream.write(f"{stamp} [{who}] {message}\n")
                self.stream.flush()
            except (ValueError, OSError):
                pass

    def plain(self, text: str) -> None:
        with self.lock:
            self.stream.write(text + "\n")
            self.stream.flush()


class Runtime:
    def __init__(self, settings: Settings, console: Console | None = None) -> None:
        self.settings = settings
        self.console = console or Console()
        self.stop_event = threading.Event()
        self.started_at = time.monotonic()
        self.startup_seconds: float | None = None
        self.moto: subprocess.Popen[bytes] | None = None
        self.endpoint_url = ""
        self.stack: Any = None
        self.invoker: Any = None
        self.server: Any = None
        self.threads: list[threading.Thread] = []
        self.pollers: list[Any] = []
        self.scheduler: Any = None
        self._temp_state = False
        self._stopped = False
        self._stop_lock = threading.Lock()
        self.seed_summary: str | None = None
        self.phases: dict[str, float] = {}
        self.restored: dict[str, int] | None = None  # what the state folder's journal replayed

    # --- start ------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://{self.settings.host}:{self.port}"

    def start(self) -> None:
        from infra.local.httpserver import make_server

        s = self.settings
        self.started_at = time.monotonic()
        # Bind first: a busy port fails before moto starts, and PORT=0 gets its number for the issuer.
        self.server, self.handler_class = make_server(s.host, s.port)
        self.port = self.server.server_address[1]
        self._prepare_state()
        self._start_moto()
        from infra.local.auth import LocalIssuer

        self.issuer = LocalIssuer(f"{self.api_url}/dev", LOCAL_AUDIENCE)
        self._plan()  # translating takes about as long as moto's start: do it meanwhile
        self._wait_for_moto()
        self._phase("translate+moto")
        self._set_process_env()
        self._deploy()
        self._restore()
        self._phase("stack")
        self._start_workers_and_gateway()
        self._start_event_sources()
        self._seed()
        # The pollers start after the seed (it runs faster alone; their positions were fixed
        # before it), and deliver its records at once rather than after batching windows.
        for poller in self.pollers:
            poller.flush.set()
            poller.start()
        self._phase("seed")
        self._wait_for_streams()
        for poller in self.pollers:
            poller.flush.clear()
        self._phase("streams")
        self.startup_seconds = time.monotonic() - self.started_at

    def _phase(self, name: str) -> None:
        now = time.monotonic()
        last = getattr(self, "_phase_mark", self.started_at)
        self.phases[name] = round(now - last, 2)
        self._phase_mark = now

    def _start_moto(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        self.moto = subprocess.Popen(
            [
                self.settings.python,
                "-m",
                "infra.local.motoserver",
                "--host",
                self.settings.host,
                "--port",
                str(self.settings.moto_port),
                *(["--journal", str(self.state_dir / JOURNAL_FILE)] if self.kept else []),
            ],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.PIPE,  # closing it (or our death) stops moto
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._moto_lines: queue.Queue[str | None] = queue.Queue()

        def read_stdout() -> None:
            assert self.moto is not None and self.moto.stdout is not None
            for raw in self.moto.stdout:
                self._moto_lines.put(raw.decode("utf-8", "replace").strip())
            self._moto_lines.put(None)

        def read_stderr() -> None:
            assert self.moto is not None and self.moto.stderr is not None
            for raw in self.moto.stderr:
                line = raw.decode("utf-8", "replace").rstrip()
                if line:
                    self.console("moto", line)

        for target in (read_stdout, read_stderr):
            threading.Thread(target=target, name=target.__name__, daemon=True).start()

    def _wait_for_moto(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._moto_lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError(f"moto did not start within {timeout:.0f} s") from None
            if line is None:
                raise RuntimeError(f"moto exited during start (status {self.moto and self.moto.wait()})")
            if line.startswith("MOTO_READY "):
                self.moto_port = int(line.split()[1])
                self.endpoint_url = f"http://{self.settings.host}:{self.moto_port}"
                return

    @property
    def kept(self) -> bool:
        """Whether the data outlives this run (a state folder was given)."""
        return self.settings.state_dir is not None

    def _prepare_state(self) -> None:
        from infra.local.clock import ClockFile

        if self.settings.state_dir is None:
            remove_stale_state_dirs()
            self.state_dir = Path(tempfile.mkdtemp(prefix=STATE_PREFIX))
            (self.state_dir / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
            self._temp_state = True
        else:
            self.state_dir = self.settings.state_dir.resolve()
            self.state_dir.mkdir(parents=True, exist_ok=True)
        self.clock = ClockFile(self.state_dir / "clock.json")
        self.outbox = self.state_dir / "outbox.jsonl"
        if not self.kept or self.settings.fresh or not (self.state_dir / JOURNAL_FILE).exists():
            # A new world: the clock starts at real time, nothing was sent, no data.
            (self.state_dir / JOURNAL_FILE).unlink(missing_ok=True)
            self.clock.reset()
            self.outbox.unlink(missing_ok=True)

    def _restore(self) -> None:
        """Replay the state folder's journal into the new moto (before anything else runs); the
        journal then names the new stack's resources (journal.py)."""
        if not self.kept:
            return
        import requests

        started = time.monotonic()
        response = requests.post(
            self.endpoint_url + REPLAY_PATH, json={"resources": self.stack.resources}, timeout=3600
        )
        response.raise_for_status()
        self.restored = response.json()
        if self.restored["replayed"] or self.restored["failed"]:
            self.console(
                "state",
                f"{self.restored['replayed']} write calls replayed from {self.state_dir} in "
                f"{time.monotonic() - started:.1f} s"
                + (f" ({self.restored['failed']} refused by the new stack)" if self.restored["failed"] else ""),
            )

    def local_env(self) -> dict[str, str]:
        """What every worker (and the in-process demo seed) gets besides the function's own env."""
        return {
            "MICROWISH_CLOCK_FILE": str(self.clock.path),
            "MICROWISH_OUTBOX_FILE": str(self.outbox),
            "MICROWISH_LOCAL": "1",
        }

    def _set_process_env(self) -> None:
        # For boto3 in this process (the demo seed): everything goes to our moto.
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint_url,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing",
                "AWS_DEFAULT_REGION": self.settings.region,
                "AWS_REGION": self.settings.region,
                "AWS_EC2_METADATA_DISABLED": "true",
                **self.local_env(),
            }
        )
        os.environ.pop("AWS_PROFILE", None)

    def _plan(self) -> None:
        from infra.local.stack import plan_stack

        self.plan = plan_stack(
            self.settings.template,
            {"JwtIssuer": self.issuer.issuer, "JwtAudience": LOCAL_AUDIENCE},
            stack_name=self.settings.stack_name,
            region=self.settings.region,
        )

    def _deploy(self) -> None:
        import boto3

        from infra.local.stack import deploy_stack

        session = boto3.session.Session(
            region_name=self.settings.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
        )
        self.session = session
        self.stack = deploy_stack(session, self.plan, endpoint_url=self.endpoint_url, api_url=self.api_url)
        for note in self.stack.skipped:
            self.console("stack", f"not run locally: {note}")

    def client(self, service: str) -> Any:
        from botocore.config import Config

        return self.session.client(
            service,
            endpoint_url=self.endpoint_url,
            config=Config(retries={"max_attempts": 2, "mode": "standard"}),
        )

    def _start_workers_and_gateway(self) -> None:
        from infra.local.httpserver import Gateway
        from infra.local.webapp import WebApp
        from infra.local.workers import Invoker

        self.invoker = Invoker(
            self.stack.functions,
            endpoint_url=self.endpoint_url,
            region=self.stack.region,
            account_id=self.stack.account_id,
            extra_env=self.local_env(),
            log=self.console,
            max_workers=self.settings.concurrency,
            python=self.settings.python,
        )
        self.handler_class.gateway = Gateway(
            routes=self.stack.routes,
            apis=self.stack.apis,
            invoke=self.invoker.invoke,
            issuer=self.issuer,
            clock=self.clock,
            outbox=self.outbox,
            run_schedules=self.run_schedules,
            describe=self.describe,
            log=self.console,
            account_id=self.stack.account_id,
            # Delivery photos go straight to (moto's) S3 through pre-signed URLs.
            web=WebApp(REPO_ROOT / "web" / "dist", connect=[self.endpoint_url], images=[self.endpoint_url]),
            app_routes=self._app_routes(),
        )
        thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.5}, name="http", daemon=True
        )
        thread.start()
        self.threads.append(thread)

    def _app_routes(self) -> dict[Any, Any]:
        """The app's local-only routes, from infra.demo's optional dev_routes(outputs, api_url, ssm client)."""
        for spec in self.stack.functions.values():  # infra.demo uses the domain code (the layers)
            for layer in spec.layer_dirs:
                if layer not in sys.path:
                    sys.path.append(layer)
        try:
            module = importlib.import_module("infra.demo")
            make = getattr(module, "dev_routes", None)
            routes = make(dict(self.stack.outputs), self.api_url, self.client("ssm")) if callable(make) else {}
        except Exception as error:
            self.console("dev", f"the app's dev routes could not be set up: {type(error).__name__}: {error}")
            return {}
        for method, path in routes:
            self.console("dev", f"{method} {path} (the app's)")
        return dict(routes)

    def _start_event_sources(self) -> None:
        from infra.local.pollers import SqsPoller, StreamPoller
        from infra.local.schedules import Scheduler

        for source in self.stack.event_sources:
            if not source.enabled:
                self.console("pollers", f"{source.logical_id} is disabled in the template: not polled")
                continue
            if source.kind == "sqs":
                poller: Any = SqsPoller(
                    source,
                    self.client("sqs"),
                    self.invoker.invoke,
                    self.stack.region,
                    self.stop_event,
                    self.console,
                )
            else:
                clients: dict[str, Any] = {}

                def destination(service: str, clients: dict[str, Any] = clients) -> Any:
                    if service not in clients:
                        clients[service] = self.client(service)
                    return clients[service]

                poller = StreamPoller(
                    source,
                    self.client("dynamodbstreams"),
                    destination,
                    self.invoker.invoke,
                    self.stack.region,
                    self.stack.functions[source.function].arn,
                    self.stop_event,
                    self.console,
                )
                # Before anything writes, as a deployed mapping; after the replayed history, which
                # was delivered before the restart.
                poller.start_positions(at_end=bool(self.restored and self.restored["replayed"]))
            self.pollers.append(poller)  # started after the demo seed (see start())
        self.scheduler = Scheduler(
            self.stack.schedules,
            lambda spec: self.fire_schedule(spec, asynchronous=True),
            self.stop_event,
            self.console,
        )
        self.scheduler.start()
        self.threads.append(self.scheduler)
        reaper = threading.Thread(target=self._reap_idle_workers, name="reaper", daemon=True)
        reaper.start()
        self.threads.append(reaper)
        if self.settings.reload:
            from infra.local.reload import CodeWatcher

            watcher = CodeWatcher(
                {fid: [spec.code_dir, *spec.layer_dirs] for fid, spec in self.stack.functions.items()},
                Path(self.stack.template_path),
                lambda function: self.invoker.pools[function].retire(),
                self.console,
                self.stop_event,
            )
            watcher.start()
            self.threads.append(watcher)

    def _reap_idle_workers(self) -> None:
        while not self.stop_event.wait(60.0):
            self.invoker.reap_idle(self.settings.idle_seconds)

    def _seed(self) -> None:
        if not self.settings.seed:
            self.console("seed", "skipped (MICROWISH_SEED=0)")
            return
        if self.restored and self.restored["replayed"]:
            self.console("seed", "the state folder has data: the demo data is not loaded again")
            return
        # The seed may use the domain code (the layers) like the functions do.
        for spec in self.stack.functions.values():
            for layer in spec.layer_dirs:
                if layer not in sys.path:
                    sys.path.append(layer)
        try:
            module = importlib.import_module("infra.demo")
        except ModuleNotFoundError as error:
            if error.name in ("infra.demo", "infra"):
                self.console("seed", "no infra.demo module: starting with empty tables")
                return
            self.console("seed", f"infra.demo could not be imported: {error}")
            return
        except Exception as error:
            self.console("seed", f"infra.demo could not be imported: {type(error).__name__}: {error}")
            return
        seed = getattr(module, "seed", None)
        if not callable(seed):
            self.console("seed", "infra.demo has no seed(outputs) function: skipped")
            return
        started = time.monotonic()
        try:
            summary = seed(dict(self.stack.outputs))
        except Exception:
            self.console("seed", "the demo seed failed (the runtime goes on without it):")
            self.console.plain(traceback.format_exc().rstrip())
            return
        self.seed_summary = str(summary) if summary is not None else ""
        self.console("seed", f"demo data loaded in {time.monotonic() - started:.1f} s")
        if self.seed_summary:
            self.console.plain(self.seed_summary.rstrip())

    def _wait_for_streams(self, timeout: float = 30.0) -> None:
        """Let the stream pollers deliver what the seed wrote (reports, counters, notifications),
        up to where the streams stood when it finished (not what those deliveries write)."""
        from infra.local.pollers import StreamPoller

        streams = [p for p in self.pollers if isinstance(p, StreamPoller)]
        targets = [(poller, poller.end_positions()) for poller in streams]
        deadline = time.monotonic() + timeout
        while not all(poller.reached(end) for poller, end in targets):
            if time.monotonic() > deadline:
                self.console(
                    "streams", f"the demo data's stream records are still being delivered after {timeout:.0f} s"
                )
                return
            time.sleep(0.05)

    # --- schedules ----------------------------------------------------------------------------

    def fire_schedule(self, spec: Any, *, asynchronous: bool = False) -> dict[str, Any]:
        """Run a schedule's target once, now. `asynchronous` (the timers): as Lambda runs an
        asynchronous invocation, retried per the function's EventInvokeConfig (default twice,
        here after 2 and 4 s instead of 1 and 2 min), then sent to its OnFailure destination."""
        from infra.local import destinations
        from infra.local.events import scheduled_event
        from infra.local.specs import AsyncConfig

        event = scheduled_event(
            spec.input,
            kind=spec.kind,
            schedule_arn=spec.arn,
            now=self.clock.now(),
            account_id=self.stack.account_id,
            region=self.stack.region,
        )
        config = self.stack.async_configs.get(spec.function) or AsyncConfig(spec.function)
        attempts = 1 + (max(0, config.maximum_retry_attempts) if asynchronous else 0)
        for attempt in range(1, attempts + 1):
            result = self.invoker.invoke(spec.function, event)
            status = "ok" if result.ok else f"failed: {result.error_message}"
            self.console(spec.function, f"schedule {spec.name}: {status} ({result.duration_ms:.0f} ms)")
            if result.ok or attempt == attempts or self.stop_event.wait(2.0 * attempt):
                break
        destination = config.on_success_arn if result.ok else config.on_failure_arn
        if asynchronous and destination:
            record = destinations.async_invocation_record(
                function_arn=self.stack.functions[spec.function].arn,
                request_id=result.request_id,
                event=event,
                attempts=attempt,
                ok=result.ok,
                result=result.result,
                error=result.error,
            )
            problem = destinations.send(destination, record, self.client)
            self.console(spec.function, problem or f"schedule {spec.name}: record sent to {destination}")
        run: dict[str, Any] = {
            "schedule": spec.name,
            "function": spec.function,
            "ok": result.ok,
            "result": result.result if result.ok else None,
        }
        if not result.ok:
            run["error"] = result.error_message
        return run

    def run_schedules(self, names: list[str] | None = None, asynchronous: bool = False) -> list[dict[str, Any]]:
        """POST /dev/schedules/run: every schedule (or those named) once, now, one after another."""
        by_name = {spec.name: spec for spec in self.stack.schedules}
        chosen = [by_name[name] for name in names] if names else list(self.stack.schedules)  # KeyError: unknown
        return [self.fire_schedule(spec, asynchronous=asynchronous) for spec in chosen]

    # --- status -------------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        stack = self.stack
        return {
            "api_url": self.api_url,
            "moto_endpoint": self.endpoint_url,
            "template": stack.template_path,
            "state_dir": str(self.state_dir),
            "state_kept": self.kept,
            "restored": self.restored,
            "startup_seconds": round(self.startup_seconds or 0, 2),
            "startup_phases": self.phases,
            "outputs": stack.outputs,
            "routes": [{"route_key": r.route_key, "function": r.function, "auth": r.auth} for r in stack.routes],
            "functions": {
                fid: {
                    "name": spec.name,
                    "code_dir": spec.code_dir,
                    "layers": list(spec.layer_dirs),
                    "workers": len(self.invoker.pools[fid].pids()),
                    # each live worker's pid: what tests/e2e/test_chaos.py SIGKILLs (a killed worker is
                    # replaced on the function's next invocation, as Lambda starts a new instance)
                    "pids": self.invoker.pools[fid].pids(),
                    "busy_pids": self.invoker.pools[fid].busy_pids(),
                    "invocations": self.invoker.pools[fid].invocations,
                    "cold_starts": self.invoker.pools[fid].cold_starts,
                }
                for fid, spec in stack.functions.items()
            },
            "event_sources": [
                {
                    "id": p.source.logical_id,
                    "kind": p.source.kind,
                    "function": p.source.function,
                    "batches": p.batches,
                    "errors": p.errors,
                }
                for p in self.pollers
            ],
            "schedules": [
                {"name": s.name, "expression": s.expression, "function": s.function, "enabled": s.enabled}
                for s in stack.schedules
            ],
            "not_run_locally": stack.skipped,
            "pids": {
                "runtime": os.getpid(),
                "moto": self.moto.pid if self.moto else None,
                "workers": self.invoker.pids(),
            },
        }

    def banner(self) -> str:
        stack = self.stack
        lines = [
            "",
            f"Micro-Wish local runtime — {len(stack.routes)} routes, {len(stack.functions)} functions, "
            f"{len(stack.event_sources)} event sources, {len(stack.schedules)} schedules "
            f"(from {Path(stack.template_path).name})",
        ]
        for route in stack.routes:
            lines.append(
                f"  {route.route_key:<36} → {route.function}" + ("" if route.auth == "none" else f" [{route.auth}]")
            )
        for source in stack.event_sources:
            what = source.queue_url.rsplit("/", 1)[-1] if source.kind == "sqs" else source.stream_arn.split("/")[1]
            lines.append(f"  {source.kind} {what} (batch {source.batch_size}) → {source.function}")
        if self.scheduler:
            for timer in self.scheduler.timers:
                lines.append(f"  schedule {timer.describe()}")
            for note in self.scheduler.manual_only:
                lines.append(f"  schedule {note}: only by POST /dev/schedules/run")
        lines += [
            "",
            f"  moto:     {self.endpoint_url}",
            f"  state:    {self.state_dir}"
            + ("  (kept across restarts; FRESH=1 starts empty)" if self.kept else "  (temporary, removed at exit)"),
            f"  web app:  {self.api_url}/app/"
            + ("" if (REPO_ROOT / "web" / "dist" / "index.html").is_file() else "  (not built: make web)"),
            f"  API:      {self.api_url}",
            f"  docs:     {self.api_url}/docs",
            f"  token:    curl -s -X POST localhost:{self.port}/dev/tokens"
            + """ -d '{"role":"officer","sub":"officer-1","region":"431222"}'""",
            "  dev:      /dev/clock  /dev/schedules/run  /dev/outbox  /dev/runtime  /dev/chat",
            "",
            f"Ready in {self.startup_seconds:.1f} s ("
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.phases.items())
            + "). Ctrl-C stops everything.",
        ]
        return "\n".join(lines)

    # --- stop ---------------------------------------------------------------------------------

    def stop(self) -> None:
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
        self.stop_event.set()
        if self.server is not None:
            if any(t.name == "http" for t in self.threads):
                self.server.shutdown()
            self.server.server_close()
        # Pollers between two calls stop at once; one in a long poll stops when moto goes away.
        deadline = time.monotonic() + 1.0
        for poller in self.pollers:
            if poller.ident is not None:
                poller.join(timeout=max(0.0, deadline - time.monotonic()))
        if self.invoker is not None:
            self.invoker.close()
        self._stop_moto()
        for poller in self.pollers:
            if poller.ident is not None:
                poller.join(timeout=2.0)
        if self._temp_state:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def _stop_moto(self) -> None:
        if self.moto is None or self.moto.poll() is not None:
            return
        try:
            assert self.moto.stdin is not None
            self.moto.stdin.close()  # moto's stdin watcher shuts it down
            self.moto.wait(timeout=3)
        except (OSError, subprocess.TimeoutExpired):
            self.moto.terminate()
            try:
                self.moto.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.moto.kill()
                self.moto.wait()
