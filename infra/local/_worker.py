"""One Lambda "instance": imports a handler once and runs invocations (JSON lines on stdin/stdout).

Started by workers.py as `python -P <this file> <handler>` with the function's environment and
PYTHONPATH=<code dir>:<layer dirs>, in the code dir. -P keeps this file's folder off sys.path, so
the handler sees only its own code and layers (as in Lambda).

Protocol (one JSON object per line):
  -> {"id": n, "event": ..., "context": {"function_name", "memory_limit_in_mb", "timeout_s",
      "aws_request_id", "invoked_function_arn", "deadline_ms", "region", "account_id"}}
  <- {"id": n, "ok": true, "result": ...} | {"id": n, "ok": false, "error": {"errorType",
      "errorMessage", "stackTrace"}}
The first line out is {"ready": true, "init_ms": ...} (or "init_error") after the import; each
request is acknowledged with {"id": n, "started": true} as it is read, before the handler runs.
The handler's prints and logs go to stderr (fd 1 is pointed at fd 2), which the runtime forwards.
"""

from __future__ import annotations

import decimal
import importlib
import importlib.util
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any


def _load_events_module() -> Any:
    # Loaded by path under a private name: the handler must not see our modules as top-level ones.
    path = Path(__file__).with_name("events.py")
    spec = importlib.util.spec_from_file_location("_microwish_local_events", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses looks it up)
    spec.loader.exec_module(module)
    return module


def _error(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorType": error_type or type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_exception(type(exc), exc, exc.__traceback__),
    }


def _json_default(value: Any) -> Any:
    # The Lambda Python runtime serialises Decimal (what boto3's DynamoDB resources return).
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class _Handler:
    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.function: Any = None
        self.init_error: dict[str, Any] | None = None

    def load(self) -> None:
        module_name, _, attribute = self.spec.replace("/", ".").rpartition(".")
        try:
            module = importlib.import_module(module_name)
            self.function = getattr(module, attribute)
            self.init_error = None
        except Exception as exc:
            kinds = {
                ImportError: "Runtime.ImportModuleError",
                AttributeError: "Runtime.HandlerNotFound",
                SyntaxError: "Runtime.UserCodeSyntaxError",
            }
            kind = next((k for t, k in kinds.items() if isinstance(exc, t)), None)
            self.init_error = _error(exc, kind)
            traceback.print_exc()


def main() -> int:
    handler_spec = sys.argv[1]
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # print() in the handler goes to stderr
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    sys.stderr.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    logging.basicConfig(
        stream=sys.stderr,
        level=os.environ.get("AWS_LAMBDA_LOG_LEVEL", "WARNING").upper(),
        format="[%(levelname)s] %(name)s: %(message)s",
    )
    events = _load_events_module()

    started = time.perf_counter()
    handler = _Handler(handler_spec)
    handler.load()
    init_ms = round((time.perf_counter() - started) * 1000, 1)
    proto_out.write(json.dumps({"ready": handler.init_error is None, "init_ms": init_ms}) + "\n")

    while True:
        line = proto_in.readline()
        if not line:
            return 0  # the runtime closed our stdin: stop
        request = json.loads(line)
        # The runtime knows from this that the invocation reached us: a worker killed before it is
        # replaced and the invocation given to a new one (it never ran), after it is a failed invocation.
        proto_out.write(json.dumps({"id": request.get("id"), "started": True}) + "\n")
        proto_out.write(_invoke(handler, events, request) + "\n")


def _invoke(handler: _Handler, events: Any, request: dict[str, Any]) -> str:
    request_id = request.get("id")
    if handler.function is None:
        handler.load()  # Lambda retries the init phase on the next invocation
    if handler.function is None:
        return json.dumps({"id": request_id, "ok": False, "error": handler.init_error}, default=str)
    context = events.LambdaContext(**request.get("context", {}))
    try:
        result = handler.function(request.get("event"), context)
    except Exception as exc:
        print(f"[ERROR] {type(exc).__name__}: {exc}", file=sys.stderr)
        traceback.print_exc()
        return json.dumps({"id": request_id, "ok": False, "error": _error(exc)}, default=str)
    try:
        return json.dumps({"id": request_id, "ok": True, "result": result}, default=_json_default, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        return json.dumps({"id": request_id, "ok": False, "error": _error(exc, "Runtime.MarshalError")})


if __name__ == "__main__":
    sys.exit(main())
