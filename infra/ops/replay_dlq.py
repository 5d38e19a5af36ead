"""Replay or redrive every dead-letter queue of a stack (README "Runbook: dead letters").

    python -m infra.ops.replay_dlq --stack micro-wish [--region cn-northwest-1] [--queue event_router ...]
    python -m infra.ops.replay_dlq --local http://127.0.0.1:3000 [--queue ...] [--dry-run]

Against a stack it invokes the stack's ReplayDeadLettersFunction and prints its answer. Against the local
runtime (`make run`) it runs the same function's code here, with the function's environment as moto holds
it and boto3 pointed at the runtime's moto; a sweep is run again through POST /dev/schedules/run (moto's
Lambda cannot invoke). Exit status 1 when a dead letter was left on its queue.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
FUNCTION = "ReplayDeadLettersFunction"
QUEUES = (
    "event_router",
    "stats_consumer",
    "notifications",
    "chat_replies",
    "escalation",
    "lease",
    "retention",
    "quota_reminder",
)


def _http(url: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method="GET" if data is None else "POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.loads(response.read())


def invoke_stack(stack: str, region: str | None, event: dict[str, Any]) -> dict[str, Any]:
    import boto3
    from botocore.config import Config

    session = boto3.Session(region_name=region)
    outputs = session.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    name = next((o["OutputValue"] for o in outputs if o["OutputKey"] == "ReplayDeadLettersFunctionName"), None)
    if not name:
        raise SystemExit(f"stack {stack} has no ReplayDeadLettersFunctionName output: deploy this version first")
    client = session.client("lambda", config=Config(read_timeout=910, retries={"max_attempts": 0}))
    response = client.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    payload = json.loads(response["Payload"].read() or b"null")
    if response.get("FunctionError"):
        raise SystemExit(f"{name} failed: {json.dumps(payload, ensure_ascii=False)}")
    return payload


def invoke_local(base_url: str, event: dict[str, Any]) -> dict[str, Any]:
    """The ops function's code, here, against the local runtime's moto."""
    runtime = _http(f"{base_url.rstrip('/')}/dev/runtime")
    spec = runtime["functions"][FUNCTION]
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": runtime["moto_endpoint"],
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
    )
    for layer in spec.get("layers") or [str(REPO / "shared")]:
        if layer not in sys.path:
            sys.path.append(layer)
    import boto3

    env = boto3.client("lambda").get_function_configuration(FunctionName=spec["name"])["Environment"]["Variables"]
    os.environ.update({key: str(value) for key, value in env.items()})
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"  # the summary is printed; warnings name what failed
    by_name = {info["name"]: logical_id for logical_id, info in runtime["functions"].items()}

    def run_sweep(name: str) -> Any:
        function = by_name[os.environ[f"{name.upper()}_SWEEP_FUNCTION"]]
        schedules = [s["name"] for s in runtime["schedules"] if s["function"] == function]
        runs = _http(f"{base_url.rstrip('/')}/dev/schedules/run", {"schedule": schedules})["runs"]
        failed = [run for run in runs if not run.get("ok")]
        if failed or not runs:
            raise RuntimeError(f"{name} sweep failed: {failed or 'no schedule runs it'}")
        return runs

    import importlib.util

    from microwish.services import replay

    # The ops function's own module (functions/replay_dead_letters/app.py), imported from its folder.
    module_spec = importlib.util.spec_from_file_location("replay_dead_letters_app", Path(spec["code_dir"]) / "app.py")
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    targets = module.targets
    return replay.replay(
        targets(run_sweep),
        event.get("queues"),
        limit=int(event.get("limit", 1000)),
        dry_run=event.get("dry_run") is True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="a deployed stack's name")
    where.add_argument("--local", metavar="URL", help="the local runtime, e.g. http://127.0.0.1:3000")
    parser.add_argument("--region")
    parser.add_argument("--queue", action="append", choices=QUEUES, help="only these (repeatable); default all")
    parser.add_argument("--limit", type=int, default=1000, help="dead letters per queue (default 1000)")
    parser.add_argument("--dry-run", action="store_true", help="only say how many wait on each queue")
    parser.add_argument("--json", action="store_true", help="print the function's whole answer as JSON")
    args = parser.parse_args(argv)
    event: dict[str, Any] = {"limit": args.limit, "dry_run": args.dry_run}
    if args.queue:
        event["queues"] = args.queue
    result = invoke_stack(args.stack, args.region, event) if args.stack else invoke_local(args.local, event)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else summary(result))
    return 1 if result.get("left") else 0


def summary(result: dict[str, Any]) -> str:
    """One line per queue: what was done (the counts that are not zero), then any errors."""
    lines = []
    for report in result.get("queues", []):
        counts = [
            f"{report[key]} {key}"
            for key in ("waiting", "letters", "events", "jobs", "counted", "sweeps", "left")
            if report.get(key)
        ]
        lines.append(f"{report['queue']:<15} {', '.join(counts) or 'empty'}")
        lines += [f"{'':<15} ! {error}" for error in report.get("errors", [])]
    lines.append(f"left on their queues: {result.get('left', 0)}" + (" (dry run)" if result.get("dry_run") else ""))
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
