"""Run a function's handler in worker subprocesses, like Lambda instances.

Each function has a pool: workers are spawned on demand (the first invocation is a cold start),
reused while warm, at most MICROWISH_LOCAL_CONCURRENCY (default 4) at once per function; more
concurrent invocations wait for a free worker. A worker that exceeds the function's Timeout is
killed (as Lambda ends a timed-out instance). Workers idle for MICROWISH_LOCAL_IDLE_SECONDS
(default 600) are stopped to give their memory back.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local.stack import FunctionSpec

WORKER_SCRIPT = str(Path(__file__).with_name("_worker.py"))
INIT_ALLOWANCE_S = 10.0  # Lambda's init phase has its own 10 s limit

LogSink = Callable[[str, str], None]  # (function logical id, line)


@dataclass
class Invocation:
    ok: bool
    result: Any = None
    error: dict[str, Any] | None = None
    duration_ms: float = 0.0
    cold_start: bool = False
    init_ms: float | None = None
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    reached: bool = True  # False: the worker died before the event reached the handler (safe to run again)

    @property
    def error_message(self) -> str:
        if not self.error:
            return ""
        return f"{self.error.get('errorType')}: {self.error.get('errorMessage')}"


class Worker:
    def __init__(
        self,
        spec: FunctionSpec,
        env: dict[str, str],
        python: str,
        log: LogSink,
        number: int,
        generation: int = 0,
    ) -> None:
        self.spec = spec
        self.number = number
        self.generation = generation  # the pool's code generation it was started with
        self.last_used = time.monotonic()
        self._replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next_id = 0
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [python, "-P", WORKER_SCRIPT, spec.handler],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=spec.code_dir,
            env=env,
            start_new_session=True,  # Ctrl-C reaches the runtime only; it stops workers in order
        )
        self.ready: bool | None = None
        self.init_ms: float | None = None
        label = f"{spec.logical_id}#{number}"
        threading.Thread(target=self._read_replies, name=f"{label}-out", daemon=True).start()
        threading.Thread(target=self._read_logs, args=(log,), name=f"{label}-err", daemon=True).start()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def _read_replies(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                self._replies.put(json.loads(line))
            except ValueError:
                continue
        self._replies.put(None)  # the worker exited

    def _read_logs(self, log: LogSink) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            log(self.spec.logical_id, raw.decode("utf-8", "replace").rstrip("\n"))

    def _next_reply(self, deadline: float) -> dict[str, Any] | None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        try:
            return self._replies.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError from None

    def invoke(self, event: Any, context: dict[str, Any]) -> Invocation:
        started = time.monotonic()
        cold = self.ready is None
        if cold:
            try:
                hello = self._next_reply(started + INIT_ALLOWANCE_S)
            except TimeoutError:
                self.kill()
                return Invocation(False, error=_timeout_error(INIT_ALLOWANCE_S, "init"), cold_start=True)
            if hello is None:
                self.kill()
                return Invocation(False, error=_crash_error(self.process.poll()), cold_start=True, reached=False)
            self.ready = bool(hello.get("ready"))
            self.init_ms = hello.get("init_ms")
        self._next_id += 1
        request = {"id": self._next_id, "event": event, "context": context}
        invoke_start = time.monotonic()
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps(request, ensure_ascii=False).encode("utf-8") + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            self.kill()
            return Invocation(False, error=_crash_error(self.process.poll()), cold_start=cold, reached=False)
        reached = False  # the worker acknowledged the request: the handler may have run
        try:
            while True:
                reply = self._next_reply(invoke_start + self.spec.timeout)
                if reply is not None and reply.get("started"):
                    reached = reached or reply.get("id") == self._next_id
                    continue
                if reply is None or reply.get("id") == self._next_id:
                    break
        except TimeoutError:
            self.kill()
            return Invocation(False, error=_timeout_error(self.spec.timeout), cold_start=cold)
        duration = (time.monotonic() - invoke_start) * 1000
        self.last_used = time.monotonic()
        if reply is None:
            self.kill()
            return Invocation(False, error=_crash_error(self.process.poll()), cold_start=cold, duration_ms=duration,
                              reached=reached)
        init_ms = self.init_ms if cold else None
        if reply.get("ok"):
            return Invocation(True, result=reply.get("result"), duration_ms=duration, cold_start=cold, init_ms=init_ms)
        return Invocation(False, error=reply.get("error") or {}, duration_ms=duration, cold_start=cold, init_ms=init_ms)

    def stop(self, grace: float = 2.0) -> None:
        """Close stdin (the worker exits by itself), then SIGTERM, then SIGKILL."""
        if not self.alive:
            self.process.wait()
            return
        try:
            assert self.process.stdin is not None
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=grace / 2)
            return
        except subprocess.TimeoutExpired:
            pass
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace / 2)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        self._signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)

    def _signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)  # the worker and anything it started


def _timeout_error(seconds: float, phase: str = "invoke") -> dict[str, Any]:
    return {
        "errorType": "Sandbox.Timedout" if phase == "invoke" else "Runtime.InitTimeout",
        "errorMessage": f"Task timed out after {seconds:.2f} seconds",
    }


def _crash_error(code: int | None) -> dict[str, Any]:
    return {"errorType": "Runtime.ExitError", "errorMessage": f"the worker exited (status {code})"}


class FunctionPool:
    """The warm workers of one function."""

    def __init__(
        self,
        spec: FunctionSpec,
        env: dict[str, str],
        *,
        python: str,
        log: LogSink,
        max_workers: int,
        region: str,
        account_id: str,
    ) -> None:
        self.spec = spec
        self.env = env
        self.python = python
        self.log = log
        self.max_workers = max(1, max_workers)
        self.region = region
        self.account_id = account_id
        self._all: list[Worker] = []
        self._idle: list[Worker] = []
        self._cond = threading.Condition()
        self._spawned = 0
        self._closed = False
        self.generation = 0  # bumped when the code changes: older workers are not reused
        self.invocations = 0
        self.cold_starts = 0

    def _acquire(self) -> Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("the runtime is stopping")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive:
                        return worker
                    self._forget(worker)
                if len(self._all) < self.max_workers:
                    self._spawned += 1
                    worker = Worker(self.spec, self.env, self.python, self.log, self._spawned, self.generation)
                    self._all.append(worker)
                    return worker
                self._cond.wait()

    def _release(self, worker: Worker) -> None:
        with self._cond:
            stale = worker.generation != self.generation
            if worker.alive and not self._closed and not stale:
                self._idle.append(worker)
            else:
                self._forget(worker)
            self._cond.notify()
        if stale:
            worker.stop()

    def retire(self) -> int:
        """The code changed: stop idle workers now, busy ones when they finish. Returns how many."""
        with self._cond:
            self.generation += 1
            idle, self._idle = self._idle, []
            for worker in idle:
                self._forget(worker)
            busy = len(self._all)
        for worker in idle:
            worker.stop()
        return len(idle) + busy

    def _forget(self, worker: Worker) -> None:
        if worker in self._all:
            self._all.remove(worker)
        if worker in self._idle:
            self._idle.remove(worker)

    def invoke(self, event: Any) -> Invocation:
        try:
            worker = self._acquire()
        except RuntimeError as error:
            return Invocation(False, error={"errorType": "Runtime.Stopping", "errorMessage": str(error)})
        request_id = str(uuid.uuid4())
        context = {
            "function_name": self.spec.name,
            "memory_limit_in_mb": self.spec.memory,
            "timeout_s": float(self.spec.timeout),
            "aws_request_id": request_id,
            "invoked_function_arn": self.spec.arn,
            "region": self.region,
            "account_id": self.account_id,
            "deadline_ms": int(time.time() * 1000 + self.spec.timeout * 1000),
        }
        try:
            result = worker.invoke(event, context)
        finally:
            self._release(worker)
        # A worker that had died (killed while idle, or during its init) never ran the event: as Lambda
        # would, give it to a new worker instead of failing it. A few times at most.
        for _ in range(2):
            if result.ok or result.reached:
                break
            try:
                worker = self._acquire()
            except RuntimeError:
                break
            try:
                result = worker.invoke(event, context)
            finally:
                self._release(worker)
        result.request_id = request_id
        self.invocations += 1
        if result.cold_start:
            self.cold_starts += 1
        return result

    def reap_idle(self, idle_seconds: float) -> None:
        with self._cond:
            now = time.monotonic()
            stale = [w for w in self._idle if now - w.last_used > idle_seconds]
            for worker in stale:
                self._forget(worker)
        for worker in stale:
            worker.stop()

    def pids(self) -> list[int]:
        with self._cond:
            return [w.process.pid for w in self._all if w.alive]

    def busy_pids(self) -> list[int]:
        """Workers past their init and running an invocation now (the kill test aims at them)."""
        with self._cond:
            return [w.process.pid for w in self._all if w.alive and w.ready is not None and w not in self._idle]

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._cond.notify_all()
        threads = [threading.Thread(target=w.stop) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def worker_env(
    spec: FunctionSpec,
    *,
    endpoint_url: str,
    region: str,
    extra: dict[str, str],
) -> dict[str, str]:
    """A worker's environment: what Lambda sets, the function's variables, the local extras.

    Nothing else is inherited from the runtime's environment (no AWS_PROFILE, no developer
    credentials), except PATH, HOME and locale variables.
    """
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")}
    env.update(
        {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime or 'python'}",
            "LAMBDA_TASK_ROOT": spec.code_dir,
            "_HANDLER": spec.handler,
            "TZ": "UTC",
            # what `sam local` sets; Powertools turns the tracer off for it
            "AWS_SAM_LOCAL": "true",
            "AWS_XRAY_SDK_ENABLED": "false",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.setdefault("LANG", "C.UTF-8")
    env.update(spec.env)
    env.update(extra)
    env["AWS_ENDPOINT_URL"] = endpoint_url
    env["PYTHONPATH"] = os.pathsep.join([spec.code_dir, *spec.layer_dirs])
    return env


class Invoker:
    """All functions' pools: `invoke(logical_id, event)`."""

    def __init__(
        self,
        functions: dict[str, FunctionSpec],
        *,
        endpoint_url: str,
        region: str,
        account_id: str,
        extra_env: dict[str, str],
        log: LogSink,
        max_workers: int = 4,
        python: str | None = None,
    ) -> None:
        self.pools = {
            logical_id: FunctionPool(
                spec,
                worker_env(spec, endpoint_url=endpoint_url, region=region, extra=extra_env),
                python=python or sys.executable,
                log=log,
                max_workers=max_workers,
                region=region,
                account_id=account_id,
            )
            for logical_id, spec in functions.items()
        }

    def invoke(self, logical_id: str, event: Any) -> Invocation:
        return self.pools[logical_id].invoke(event)

    def reap_idle(self, idle_seconds: float) -> None:
        for pool in self.pools.values():
            pool.reap_idle(idle_seconds)

    def pids(self) -> list[int]:
        return [pid for pool in self.pools.values() for pid in pool.pids()]

    def close(self) -> None:
        threads = [threading.Thread(target=pool.close) for pool in self.pools.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
