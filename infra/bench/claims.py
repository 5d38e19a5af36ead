"""What each state change costs in round trips: reads and writes per request, with and without a key.

    python -m infra.bench.claims                       # this checkout
    python -m infra.bench.claims --before /work/main   # and another checkout's code beside it (read only)

Runs the real handlers in-process against the template's stack in moto and counts EVERY AWS call of every
client of every session (botocore's `BaseClient._make_api_call`, so a layer that opens its own session is
counted too): per operation, the reads (GetItem, Query, BatchGetItem, ...) and the write round trips
(PutItem, UpdateItem, TransactWriteItems, ...; a conditional write that fails still counts), once without
and once with an `Idempotency-Key`, next to the floor: one write round trip per state change (issue 15
goal 3). "replay" is the same keyed request sent again. `--before DIR` runs this very script on DIR's code
in a subprocess (PYTHONDONTWRITEBYTECODE: nothing is written there) and prints both, so the ratio shows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from botocore.client import BaseClient

ROOT = Path(__file__).resolve().parents[2]
READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


class Meter:
    """Counts every botocore API call made in the process while it is active, whatever client made it."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()  # "service:Operation" -> calls

    @contextmanager
    def counting(self) -> Iterator[Meter]:
        original = BaseClient._make_api_call
        meter = self

        def counted(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            meter.calls[f"{client.meta.service_model.service_name}:{operation_name}"] += 1  # failures count too
            return original(client, operation_name, api_params)

        BaseClient._make_api_call = counted
        try:
            yield self
        finally:
            BaseClient._make_api_call = original

    def reset(self) -> None:
        self.calls.clear()

    def _count(self, operations: set[str]) -> int:
        return sum(n for call, n in self.calls.items() if call.startswith("dynamodb:") and call[9:] in operations)

    @property
    def reads(self) -> int:
        return self._count(READS)

    @property
    def writes(self) -> int:
        return self._count(WRITES)

    @property
    def other(self) -> int:
        """Calls that are neither a DynamoDB read nor a write (S3, SQS, SSM, a second session's setup...)."""
        return sum(self.calls.values()) - self.reads - self.writes


def measure_all(code: Path) -> list[dict[str, Any]]:
    """The operations' counts on the code of checkout `code`: a row per operation and per keying."""
    sys.path[:0] = [str(code / "shared"), str(code)]
    os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    import boto3
    from moto import mock_aws

    from infra.local.stack import deploy_stack
    from tests.support.harness import AUDIENCE, ISSUER, Api, Signer, environment, person

    officer = person("officer", "bench-officer", region="4312")
    donors = [person("donor", f"bench-donor-{n}") for n in range(40)]
    resident = person("resident", "bench-resident")
    wish_body = {
        "title": "一台电视机",
        "category": "goods",
        "groups": ["women_in_hardship"],
        "region_code": "431222250201",
        "beneficiary": {"name": "谢桂云", "phone": "13800000000", "address": "王家村3组"},
        "target_fen": 100_000,
    }
    rows: list[dict[str, Any]] = []
    signer = Signer()
    meter = Meter()
    with mock_aws(), meter.counting():
        boto3.setup_default_session(region_name="us-east-1")
        stack = deploy_stack(
            boto3.DEFAULT_SESSION, code / "template.yaml", {"JwtIssuer": ISSUER, "JwtAudience": AUDIENCE}
        )
        api = Api(stack, signer)

        def open_wish(mode: str = "sole") -> str:
            wish = api.post("/wishes", wish_body, as_=resident).json
            api.post(f"/wishes/{wish['id']}/review", {"decision": "approve", "mode": mode}, as_=officer)
            return str(wish["id"])

        def scenario(keyed: bool) -> None:
            donor = iter(donors[20:] if keyed else donors[:20])

            def measure(name: str, send: Callable[[dict[str, str]], Any], replay: bool = False) -> None:
                headers = {"Idempotency-Key": uuid.uuid4().hex} if keyed else {}
                meter.reset()
                with environment({}):
                    reply = send(headers)
                assert reply.status < 300, (name, reply.status, reply.text)
                row = {"operation": name, "keyed": keyed, "reads": meter.reads, "writes": meter.writes}
                rows.append({**row, "other": meter.other, "calls": dict(meter.calls)})
                if replay and keyed:  # the same request again: answered from the key's record
                    meter.reset()
                    with environment({}):
                        again = send(headers)
                    assert again.status == reply.status and again.json == reply.json, (name, again.text)
                    rows.append(
                        {
                            "operation": f"{name}: replay",
                            "keyed": True,
                            "reads": meter.reads,
                            "writes": meter.writes,
                            "other": meter.other,
                            "calls": dict(meter.calls),
                        }
                    )

            measure("submit", lambda h: api.post("/wishes", wish_body, as_=resident, headers=h))
            submitted = api.post("/wishes", wish_body, as_=resident).json["id"]
            measure(
                "review",
                lambda h: api.post(
                    f"/wishes/{submitted}/review", {"decision": "approve", "mode": "sole"}, as_=officer, headers=h
                ),
            )
            measure(
                "escalation",
                lambda h: api.post(f"/wishes/{submitted}/escalation", {"reason": "久未认领"}, as_=officer, headers=h),
            )
            sole, claimer = open_wish(), next(donor)
            measure("1+1 claim", lambda h: api.post(f"/wishes/{sole}/claims", {}, as_=claimer, headers=h), replay=True)
            pooled = open_wish("pooled")
            first, last = next(donor), next(donor)
            measure(
                "N+1 pledge",
                lambda h: api.post(f"/wishes/{pooled}/claims", {"amount_fen": 10_000}, as_=first, headers=h),
                replay=True,
            )
            measure(
                "N+1 last pledge",
                lambda h: api.post(f"/wishes/{pooled}/claims", {"amount_fen": 90_000}, as_=last, headers=h),
            )
            batch, batcher = [open_wish() for _ in range(10)], next(donor)
            measure("1+N batch of 10", lambda h: api.post("/claims", {"wish_ids": batch}, as_=batcher, headers=h))
            mine = api.get("/me/claims", as_=claimer).json["items"][0]["id"]
            measure("withdraw (DELETE)", lambda h: api.delete(f"/claims/{mine}", as_=claimer, headers=h))
            assigned, unit = open_wish(), next(donor)
            unit_id = unit["sub"]
            measure(
                "dispatch",
                lambda h: api.post(f"/wishes/{assigned}/assignment", {"donor_id": unit_id}, as_=officer, headers=h),
                replay=True,
            )
            measure("accept", lambda h: api.post(f"/wishes/{assigned}/assignment/accept", as_=unit, headers=h))
            measure(
                "delivery",
                lambda h: api.post(f"/wishes/{assigned}/delivery", {"note": "已送达"}, as_=unit, headers=h),
                replay=True,
            )
            measure(
                "confirmation",
                lambda h: api.post(f"/wishes/{assigned}/confirmation", {"accepted": True}, as_=officer, headers=h),
            )
            declined, other_unit = open_wish(), next(donor)
            api.post(f"/wishes/{declined}/assignment", {"donor_id": other_unit["sub"]}, as_=officer)
            measure(
                "decline",
                lambda h: api.post(f"/wishes/{declined}/assignment/decline", {}, as_=other_unit, headers=h),
            )
            measure(
                "cancellation",
                lambda h: api.post(
                    f"/wishes/{declined}/cancellation", {"reason": "已另行解决"}, as_=officer, headers=h
                ),
            )

        scenario(keyed=False)
        scenario(keyed=True)
    signer.close()
    return rows


def _table(rows: list[dict[str, Any]]) -> dict[str, dict[bool, dict[str, Any]]]:
    table: dict[str, dict[bool, dict[str, Any]]] = {}
    for row in rows:
        table.setdefault(row["operation"], {})[row["keyed"]] = row
    return table


def _cell(row: dict[str, Any] | None) -> str:
    return f"{row['reads']:>3} {row['writes']:>3}" if row else "  -   -"


def report(now: list[dict[str, Any]], before: list[dict[str, Any]] | None, before_name: str) -> None:
    ours, theirs = _table(now), _table(before or [])
    head = f"{'':<20}" + (f"{'before (' + before_name + ')':^22}" if before is not None else "") + f"{'now':^22}"
    print(head + "  floor")
    sub = f"{'r w':>9}{'r w':>11}"
    print(f"{'operation':<20}" + (sub + "  " if before is not None else "") + sub + "  writes")
    print(f"{'':<20}" + (f"{'no key':>9}{'key':>11}  " if before is not None else "") + f"{'no key':>9}{'key':>11}")
    for name, by_key in ours.items():
        cells = ""
        if before is not None:
            old = theirs.get(name, {})
            cells += f"  {_cell(old.get(False))}  {_cell(old.get(True))}  "
        cells += f"  {_cell(by_key.get(False))}  {_cell(by_key.get(True))}"
        floor = "" if name.endswith("replay") else "1"
        print(f"{name:<20}{cells}    {floor}")
    others = [row for row in now if row["other"]]
    print(
        "\nr: DynamoDB reads, w: DynamoDB write round trips (a transaction is one; a failed conditional write"
        "\ncounts), for every client of every session in the process. floor: one write round trip per state change."
    )
    if others:
        print("calls other than DynamoDB reads and writes (now):")
        for row in others:
            extra = {call: n for call, n in row["calls"].items() if call[9:] not in READS | WRITES}
            print(f"  {row['operation']} ({'key' if row['keyed'] else 'no key'}): {extra}")
    for label, rows in (("before", before or []), ("now", now)):
        worst = max((row["writes"] for row in rows if row["keyed"] and "replay" not in row["operation"]), default=0)
        if rows:
            print(f"{label}: at most {worst} write round trip(s) per keyed state change")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.bench.claims", description=__doc__.split("\n")[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose code runs (default: this one)")
    parser.add_argument("--before", type=Path, help="another checkout (e.g. main) measured beside it, read only")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON (what --before reads)")
    args = parser.parse_args(argv)
    before = None
    if args.before is not None:
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--code", str(args.before.resolve()), "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        before = json.loads(done.stdout.strip().splitlines()[-1])
    rows = measure_all(args.code.resolve())
    if args.json:
        print(json.dumps(rows))
        return
    report(rows, before, str(args.before) if args.before else "")


if __name__ == "__main__":
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        sys.path.pop(0)  # run as a script: the bench folder is no package root
    main()
