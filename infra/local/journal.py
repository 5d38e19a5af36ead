"""The local runtime's data across restarts: a journal of the write calls moto answered with success.

`make run` keeps a state folder (.local/state, STATE=dir). The moto server (motoserver.py) appends
every successful DynamoDB, S3 and SSM write call to `journal.jsonl` there, flushed before the
caller gets its answer, so a SIGKILL of the runtime loses at most the requests in flight. At the
next start, after the stack is created in the new moto and before workers, pollers and schedules
start, the journal is replayed into moto, request by request, in order: the tables, the photo
bucket and the parameters are as they were. The new stack's resources have new physical names
(moto makes them up): the journal's first line names the stack its calls were made against
({logical id: physical id}), and the replay maps those names onto the new stack's. The journal is
then rewritten in one atomic step: the new names, and the tables as one PutItem per item (a
restart costs a scan, not the whole history again). Stream records of the replay are history that
was already delivered: the pollers start after them (runtime.py).

Not journaled: SQS (a message waiting in a queue when the runtime dies is lost with it; the
stream consumers' and schedules' dead-letter queues included), and what moto keeps for itself
(stream positions, receipts).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, urlencode

JOURNAL_FILE = "journal.jsonl"
REPLAY_PATH = "/_local/journal/replay"  # the runtime's call to the moto server: replay, then record

_DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
_SSM_WRITES = {"PutParameter", "DeleteParameter", "DeleteParameters", "AddTagsToResource"}
# Headers a replayed call needs (the rest are the transport's, or a signature nobody checks).
_SKIPPED_HEADERS = {
    "HTTP_CONNECTION",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_USER_AGENT",
    "HTTP_AMZ_SDK_INVOCATION_ID",
    "HTTP_AMZ_SDK_REQUEST",
    "HTTP_ORIGIN",
    "HTTP_REFERER",
    "HTTP_X_AMZ_DATE",
    "HTTP_X_AMZ_SECURITY_TOKEN",
    "HTTP_X_AMZ_CONTENT_SHA256",
    "HTTP_EXPECT",
}


def is_journaled_write(environ: dict[str, Any]) -> bool:
    """A call that changes the data the app keeps (never one that only reads, never SQS)."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        service, _, action = target.partition(".")
        if service.startswith("DynamoDB_") and not service.startswith("DynamoDBStreams"):
            return action in _DYNAMODB_WRITES
        return service == "AmazonSSM" and action in _SSM_WRITES
    if environ.get("REQUEST_METHOD") not in ("PUT", "POST", "DELETE"):
        return False
    return _s3_scope(environ) is not None


def _s3_scope(environ: dict[str, Any]) -> str | None:
    """The credential scope of an S3 call (signed or pre-signed), else None."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if "/s3/aws4_request" in auth:
        return auth.split("Credential=", 1)[1].split(",", 1)[0].split("/", 1)[1]
    for name, value in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True):
        if name.lower() == "x-amz-credential" and value.endswith("/s3/aws4_request"):
            return value.split("/", 1)[1]
    return None


def entry(environ: dict[str, Any], body: bytes) -> dict[str, Any]:
    """The journal line of a call: what replaying it needs. A pre-signed S3 URL's signature is
    dropped (it expires) and the call carries a plain S3 credential scope instead."""
    headers = {key: value for key, value in environ.items() if key.startswith("HTTP_") and key not in _SKIPPED_HEADERS}
    for key in ("CONTENT_TYPE", "CONTENT_MD5"):
        if environ.get(key):
            headers[key] = environ[key]
    query = environ.get("QUERY_STRING", "")
    scope = None if "HTTP_X_AMZ_TARGET" in environ else _s3_scope(environ)
    if scope is not None:
        kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not k.lower().startswith("x-amz-")]
        query = urlencode(kept)
        headers["HTTP_AUTHORIZATION"] = f"AWS4-HMAC-SHA256 Credential=testing/{scope}, SignedHeaders=host, Signature=0"
    return {
        "method": environ.get("REQUEST_METHOD", "POST"),
        "path": environ.get("PATH_INFO", "/"),  # as WSGI has it (decoded): put back as is
        "query": query,
        "headers": headers,
        "body": base64.b64encode(body).decode("ascii"),
    }


def rename(line: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A journal line with the old stack's physical names replaced by the new stack's."""
    if not names:
        return line
    text = json.dumps({k: v for k, v in line.items() if k != "body"})
    body = base64.b64decode(line["body"])
    for old, new in names.items():
        text = text.replace(old, new)
        body = body.replace(old.encode(), new.encode())
    renamed = json.loads(text)
    renamed["body"] = base64.b64encode(body).decode("ascii")
    return renamed


def name_changes(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """{old physical id: new one} for every resource of both stacks whose name changed (longest
    first, so that no name is replaced inside a longer one)."""
    changes = {old[k]: new[k] for k in old.keys() & new.keys() if old[k] and new[k] and old[k] != new[k]}
    return dict(sorted(changes.items(), key=lambda item: -len(item[0])))


class Journal:
    """The append-only file, locked by the moto server that writes it (one runtime per folder)."""

    def __init__(self, path: Path, lock_timeout: float = 15.0) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file: BinaryIO = open(self.path, "ab")  # noqa: SIM115 - open for the server's life
        deadline = time.monotonic() + lock_timeout
        while True:  # a runtime killed a moment ago: its moto exits when it sees its parent gone
            try:
                fcntl.flock(self.file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{path.parent} is in use by another local runtime") from None
                time.sleep(0.1)
        self.recording = False

    def _read(self) -> tuple[dict[str, str], list[dict[str, Any]]]:
        """(the stack the calls were made against, the calls), in order."""
        resources: dict[str, str] = {}
        calls = []
        with open(self.path, "rb") as source:
            for raw in source:
                if not raw.endswith(b"\n"):  # cut by a kill mid-write: not a call that was answered
                    continue
                try:
                    line = json.loads(raw)
                except ValueError:
                    continue
                if "resources" in line:
                    resources = line["resources"]
                else:
                    calls.append(line)
        return resources, calls

    def replay(
        self,
        resources: dict[str, str],
        call: Callable[[dict[str, Any]], int],
        snapshot: Callable[[], list[dict[str, Any]]] | None = None,
    ) -> dict[str, int]:
        """Every call of the journal again, renamed for the new stack (`resources`: its logical id →
        physical id), then recording on. `call` runs one line against moto and returns its status.

        The journal is then rewritten in one atomic step: the new stack's names, and (with
        `snapshot`) the tables compacted to one PutItem per item they hold now instead of every
        DynamoDB call that made them (moto parses update expressions slowly: a restart would cost
        as much as the history). A call the new stack refuses (a table the template no longer has)
        stays in the journal, so that nothing is lost by a template change that is undone.
        """
        old, calls = self._read()
        names = name_changes(old, resources)
        replayed = failed = 0
        kept: list[dict[str, Any]] = []
        refused: list[dict[str, Any]] = []
        for line in calls:
            line = rename(line, names)
            if 200 <= call(line) < 300:
                replayed += 1
                kept.append(line)
            else:
                failed += 1
                refused.append(line)
        if snapshot is not None and replayed:
            kept = snapshot() + [line for line in kept if not _is_dynamodb(line)]
        temporary = self.path.with_suffix(".tmp")
        with open(temporary, "wb") as target:
            target.write(_encode({"resources": resources}))
            target.writelines(_encode(line) for line in kept + refused)
            target.flush()
            os.fsync(target.fileno())
        os.replace(temporary, self.path)  # our lock is on the old inode: take it on the new one
        self.file.close()
        self.file = open(self.path, "ab")  # noqa: SIM115 - open for the server's life
        fcntl.flock(self.file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.recording = True
        return {"replayed": replayed, "failed": failed, "kept": len(kept) + len(refused)}

    def append(self, line: dict[str, Any]) -> None:
        self.file.write(_encode(line))
        self.file.flush()  # in the OS before moto answers: a SIGKILL of the runtime keeps it


def _encode(line: dict[str, Any]) -> bytes:
    return json.dumps(line, separators=(",", ":")).encode() + b"\n"


def _is_dynamodb(line: dict[str, Any]) -> bool:
    return str(line["headers"].get("HTTP_X_AMZ_TARGET", "")).startswith("DynamoDB_")


def put_item_line(table_name: str, item: dict[str, Any], region: str) -> dict[str, Any]:
    """The journal line of a PutItem of `item` (DynamoDB JSON) into `table_name`: a snapshot's line."""
    body = json.dumps({"TableName": table_name, "Item": item}, separators=(",", ":")).encode()
    return {
        "method": "POST",
        "path": "/",
        "query": "",
        "headers": {
            "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem",
            "CONTENT_TYPE": "application/x-amz-json-1.0",
            "HTTP_AUTHORIZATION": (
                f"AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/dynamodb/aws4_request, "
                "SignedHeaders=host, Signature=0"
            ),
        },
        "body": base64.b64encode(body).decode("ascii"),
    }
