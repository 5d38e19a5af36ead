"""moto in server mode on loopback, as a child process of the runtime.

    python -m infra.local.motoserver [--port N]     (N = 0: any free port)

Prints `MOTO_READY <port>` on stdout when it accepts requests, and exits when its stdin closes
(so it never outlives the runtime, even one killed with SIGKILL).

Differences from `moto_server` / `ThreadedMotoServer`, each for a moto gap:
- Requests are served one at a time (a global lock). moto's backends are not thread-safe: two
  concurrent conditional writes can both succeed, and a TransactWriteItems rollback (it deep-copies
  the table) races with other writes. DynamoDB's guarantees that the app relies on (conditions,
  transactions, the stream's order) hold only when moto runs one request at a time.
  SQS ReceiveMessage is the one exception, because a long poll waits inside moto (the runtime's
  own pollers short-poll, see pollers.py).
- DynamoDB Streams: moto keeps every shard iterator it ever handed out (about 1 KB each, two per
  poll). We drop the oldest once there are many.
- DynamoDB's TransactWriteItems and UpdateItem are patched (motopatch.py): transactions no longer
  deep-copy whole tables (slow, and it strands stream readers), and an UpdateItem that creates an
  item no longer writes two INSERT stream records.
- With --journal FILE (make run's state folder), every successful write call is appended to FILE
  before its answer leaves, and POST /_local/journal/replay replays the file (see journal.py).
Running in its own process also keeps moto's CPU work off the runtime's GIL.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
import time
from typing import Any

_MAX_SHARD_ITERATORS = 2000


class _Times:
    """Seconds each kind of call (X-Amz-Target, or the path) held the lock, written as JSON to `path` every
    100 calls: where moto's one-at-a-time time goes under a load."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.calls: dict[str, list[float]] = {}
        self.count = 0

    @contextlib.contextmanager
    def timed(self, kind: str) -> Any:
        started = time.perf_counter()
        try:
            yield
        finally:
            with self.lock:
                entry = self.calls.setdefault(kind, [0, 0.0])
                entry[0] += 1
                entry[1] += time.perf_counter() - started
                self.count += 1
                if self.count % 100 == 0:
                    with open(self.path, "w", encoding="utf-8") as out:
                        json.dump(self.calls, out, indent=1, sort_keys=True)


class _Serialised:
    """WSGI middleware: one request at a time (except SQS ReceiveMessage, which may wait)."""

    def __init__(self, app: Any, journal: Any = None) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.stream_calls = 0
        self.journal = journal  # infra.local.journal.Journal, or None: nothing kept across restarts
        # MICROWISH_MOTO_TIMES=<file>: how long each kind of call held the lock (a profile of a load test)
        self.times = _Times(os.environ["MICROWISH_MOTO_TIMES"]) if os.environ.get("MICROWISH_MOTO_TIMES") else None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.endswith(".ReceiveMessage") or "Action=ReceiveMessage" in environ.get("QUERY_STRING", ""):
            return self._buffered(environ, start_response)
        kind = target or environ.get("PATH_INFO", "")
        with self.lock, self.times.timed(kind) if self.times else contextlib.nullcontext():
            if self.journal is not None:
                from infra.local.journal import REPLAY_PATH, is_journaled_write

                if environ.get("PATH_INFO") == REPLAY_PATH:
                    return self._replay(environ, start_response)
                if self.journal.recording and is_journaled_write(environ):
                    return self._journaled(environ, start_response)
            result = self._buffered(environ, start_response)
            if target.startswith("DynamoDBStreams"):
                self.stream_calls += 1
                if self.stream_calls % 200 == 0:
                    _prune_shard_iterators()
            return result

    def _buffered(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        # Run the whole request (including producing the body) inside the caller's lock.
        body = self.app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close:
                close()

    def _journaled(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        """Run a write call; if moto answers 2xx, append it to the journal before answering."""
        import io

        from werkzeug.wsgi import get_input_stream

        from infra.local.journal import entry

        body = get_input_stream(environ).read()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        line = entry(environ, body)
        statuses: list[str] = []

        def capture(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        result = self._buffered(environ, capture)
        if statuses and statuses[0].startswith("2"):
            self.journal.append(line)
        return result

    def _replay(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        """POST /_local/journal/replay {"resources": {logical id: physical id}}: the journal into moto."""
        import base64
        import json

        from werkzeug.test import EnvironBuilder
        from werkzeug.wsgi import get_input_stream

        resources = json.loads(get_input_stream(environ).read() or b"{}").get("resources") or {}

        def call(line: dict[str, Any]) -> int:
            body = base64.b64decode(line["body"])
            replayed = EnvironBuilder(
                path=line["path"], method=line["method"], query_string=line["query"], data=body
            ).get_environ()
            replayed.update(line["headers"])
            replayed["PATH_INFO"], replayed["QUERY_STRING"] = line["path"], line["query"]
            replayed["CONTENT_LENGTH"] = str(len(body))
            statuses: list[str] = []
            self._buffered(replayed, lambda status, headers, exc_info=None: statuses.append(status))
            return int(statuses[0].split()[0]) if statuses else 500

        counts = self.journal.replay(resources, call, _snapshot)
        payload = json.dumps(counts).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]


def _snapshot() -> list[dict[str, Any]]:
    """Every item of every table moto holds, as PutItem journal lines (the journal's compaction)."""
    from moto.dynamodb.models import dynamodb_backends

    from infra.local.journal import put_item_line

    lines = []
    for account in list(dynamodb_backends.values()):
        for region, backend in list(account.items()):
            for name, table in list(backend.tables.items()):
                lines += [put_item_line(name, item.to_json()["Attributes"], region) for item in table.all_items()]
    return lines


def _prune_shard_iterators() -> None:
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    for account in list(dynamodbstreams_backends.values()):
        for backend in list(account.values()):
            iterators = backend.shard_iterators
            excess = len(iterators) - _MAX_SHARD_ITERATORS // 2
            if len(iterators) > _MAX_SHARD_ITERATORS and excess > 0:
                for key in list(iterators)[:excess]:  # dicts keep insertion order: oldest first
                    iterators.pop(key, None)


def _watch_stdin(server: Any) -> None:
    """Exit when the parent goes away (its end of our stdin closes)."""
    try:
        while sys.stdin.buffer.read(1024):
            pass
    except (OSError, ValueError):
        pass
    threading.Thread(target=server.shutdown, daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.motoserver")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--journal", default=None, help="keep successful write calls here (see journal.py)")
    args = parser.parse_args(argv)

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from infra.local import motopatch
    from infra.local.motocopy import quiet_moto_unsupported

    quiet_moto_unsupported()
    motopatch.apply()
    journal = None
    if args.journal:
        from pathlib import Path

        from infra.local.journal import Journal

        journal = Journal(Path(args.journal))
    app = _Serialised(DomainDispatcherApplication(create_backend_app), journal)
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    # werkzeug logs every request at INFO on the "werkzeug" logger; keep the console for the app.
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    print(f"MOTO_READY {server.server_port}", flush=True)
    threading.Thread(target=_watch_stdin, args=(server,), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    os._exit(0)  # do not wait for request threads (moto's own are daemon anyway)


if __name__ == "__main__":
    sys.exit(main())
