"""What each claim operation costs in DynamoDB: calls and consumed capacity per request.

    python -m infra.bench.claims

Runs the real handlers in-process against the template's stack in moto, counts every DynamoDB
call a request makes (ReturnConsumedCapacity=TOTAL is added to each), and prints them next to the
minimum the operation needs: one write or one transaction (plus the reads that decide it).
moto's capacity figures follow DynamoDB's rules only roughly; the call counts are exact.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]

from infra.local.stack import deploy_stack  # noqa: E402
from tests.support.harness import AUDIENCE, ISSUER, Api, Signer, environment, person  # noqa: E402

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
OFFICER = person("officer", "bench-officer", region="4312")
DONORS = [person("donor", f"bench-donor-{n}") for n in range(30)]
WISH = {
    "title": "一台电视机",
    "category": "goods",
    "groups": ["women_in_hardship"],
    "region_code": "431222250201",
    "beneficiary": {"name": "谢桂云", "phone": "13800000000", "address": "王家村3组"},
    "target_fen": 100_000,
}


class Meter:
    """Counts DynamoDB calls and the capacity they report, through botocore's event hooks."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.capacity = 0.0

    def attach(self) -> None:
        events = boto3.DEFAULT_SESSION._session.get_component("event_emitter") if boto3.DEFAULT_SESSION else None
        session_events = events or boto3.session.Session()._session.get_component("event_emitter")
        session_events.register("provide-client-params.dynamodb.*", self._ask_for_capacity)
        session_events.register("after-call.dynamodb.*", self._count)

    def _ask_for_capacity(self, params: dict[str, Any], model: Any, **_: object) -> None:
        if "ReturnConsumedCapacity" in model.input_shape.members:
            params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def _count(self, model: Any, parsed: dict[str, Any], **_: object) -> None:
        self.calls[model.name] += 1
        consumed = parsed.get("ConsumedCapacity")
        for entry in consumed if isinstance(consumed, list) else [consumed] if consumed else []:
            self.capacity += float(entry.get("CapacityUnits", 0))

    def reset(self) -> None:
        self.calls.clear()
        self.capacity = 0.0


def main() -> None:
    os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    signer = Signer()
    with mock_aws():
        boto3.setup_default_session(region_name="us-east-1")
        parameters = {"JwtIssuer": ISSUER, "JwtAudience": AUDIENCE}
        stack = deploy_stack(boto3.DEFAULT_SESSION, ROOT / "template.yaml", parameters)
        api = Api(stack, signer)
        meter = Meter()

        def open_wish(mode: str = "sole") -> str:
            wish = api.post("/wishes", WISH, as_=person("resident", "bench-resident")).json
            api.post(f"/wishes/{wish['id']}/review", {"decision": "approve", "mode": mode}, as_=OFFICER)
            return wish["id"]

        operations = []

        def measure(name: str, minimum: str, request: Callable[[], Any]) -> None:
            meter.reset()
            with environment({}):
                reply = request()
            assert reply.status < 300, (name, reply.status, reply.text)
            reads = sum(n for call, n in meter.calls.items() if call not in WRITES)
            writes = sum(n for call, n in meter.calls.items() if call in WRITES)
            operations.append((name, reads, writes, meter.capacity, minimum, dict(meter.calls)))

        meter.attach()
        sole = open_wish()
        measure("1+1 claim", "1 transaction", lambda: api.post(f"/wishes/{sole}/claims", {}, as_=DONORS[0]))
        pooled = open_wish("pooled")
        measure(
            "N+1 pledge",
            "1 transaction",
            lambda: api.post(f"/wishes/{pooled}/claims", {"amount_fen": 10_000}, as_=DONORS[1]),
        )
        measure(
            "N+1 last pledge",
            "1 transaction",
            lambda: api.post(f"/wishes/{pooled}/claims", {"amount_fen": 90_000}, as_=DONORS[2]),
        )
        batch = [open_wish() for _ in range(10)]
        measure("1+N batch of 10", "1 transaction", lambda: api.post("/claims", {"wish_ids": batch}, as_=DONORS[3]))
        mine = api.get("/me/claims", as_=DONORS[0]).json["items"][0]["id"]
        measure("withdraw", "1 transaction", lambda: api.delete(f"/claims/{mine}", as_=DONORS[0]))
        assigned = open_wish()
        measure(
            "dispatch",
            "1 transaction",
            lambda: api.post(f"/wishes/{assigned}/assignment", {"donor_id": "bench-donor-4"}, as_=OFFICER),
        )
        measure("accept", "1 transaction", lambda: api.post(f"/wishes/{assigned}/assignment/accept", as_=DONORS[4]))
        measure(
            "delivery",
            "1 transaction",
            lambda: api.post(f"/wishes/{assigned}/delivery", {"note": "已送达"}, as_=DONORS[4]),
        )
        measure(
            "confirmation",
            "1 transaction",
            lambda: api.post(f"/wishes/{assigned}/confirmation", {"accepted": True}, as_=OFFICER),
        )

    print(f"{'operation':<18}{'reads':>6}{'writes':>7}{'capacity':>10}  minimum write   calls")
    for name, reads, writes, capacity, minimum, calls in operations:
        print(f"{name:<18}{reads:>6}{writes:>7}{capacity:>10.1f}  {minimum:<15} {calls}")
    print(
        "\nwrites: DynamoDB write calls per request (each a single conditional write or one transaction);"
        "\nreads: the reads that decide it (the wish, or its partition for actions that touch its claims);"
        "\ncapacity: ConsumedCapacity as moto reports it (0.0 where moto reports none)."
    )
    signer.close()


if __name__ == "__main__":
    main()
