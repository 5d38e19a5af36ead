"""Cold start per function: import + first request in a Lambda-like layout, over the floor, with and without bytecode.

    python -m infra.bench.coldstart [--repeats 3] [--only submit_wish,claims] [--bytecode-only] [--strict]

Each measurement is a fresh interpreter (python -S -B, PYTHONDONTWRITEBYTECODE=1) whose sys.path is only
what Lambda gives a function (infra/tools/lambda_layout.py): the function's folder, the layer's python/
folder (made read-only; as `make build` ships it, with or without bytecode) and the runtime's boto3. It
times the handler module's import (Lambda's init) and one first request (an event as API Gateway, a
stream, a queue or a schedule hands it), against the template's stack in a moto server (its own process:
nothing of moto is imported by the measured interpreter; seeds are made beforehand through the real
handlers). The floor, in the same layout, measured right before each function: `import boto3, pydantic` and
one DynamoDB client.

Judged on CPU time (the measured interpreter's own user + sys time, each AWS call it makes counted as
CALL_LATENCY_MS): this machine's 2 cores are shared, so wall time carries the other load's waits (2x swings
within minutes), and a call's wall time is mostly moto building its answer in this process (the stats
consumer's first request measured ~0.4 s of wall in moto against ~20 ms of its own CPU). Wall ratios are
printed beside. Goal (issue 15): every function's import + first request <= 1.3x the floor with the precompiled
layer (--strict: exit 1 when one is over; without it `make bench` goes on to the other benchmarks).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]

import boto3  # noqa: E402

from infra.local.events import dynamodb_stream_event, http_event, scheduled_event, sqs_event  # noqa: E402
from infra.local.stack import LocalStack, deploy_stack, plan_stack  # noqa: E402
from infra.tools.lambda_layout import Layout, build_layout, child_environment  # noqa: E402
from tests.support.harness import AUDIENCE, ISSUER, Api, Signer, environment, person  # noqa: E402

GOAL = 1.3
# A deployed DynamoDB/SQS round trip (as infra/bench/cost.py models it): what a call to the stand-in counts for.
CALL_LATENCY_MS = 10
REGION = "us-east-1"
RESIDENT = person("resident", "cold-resident")
OFFICER = person("officer", "cold-officer", region="4312")
ADMIN = person("admin", "cold-admin", region="4312")


def donor(run: int) -> dict[str, Any]:
    return person("donor", f"cold-donor-{run}")


WISH = {
    "title": "一台电视机",
    "category": "goods",
    "groups": ["women_in_hardship"],
    "region_code": "431222250201",
    "beneficiary": {"name": "谢桂云", "phone": "13800000000", "address": "王家村3组"},
    "target_fen": 100_000,
}

# What the measured interpreter runs: Lambda's bootstrap in miniature (sys.path, import, one call).
RUNNER = r"""
import sys, time
started, cpu_started = time.perf_counter(), time.process_time()
import json, importlib, uuid
spec = json.load(open(sys.argv[1], encoding="utf-8"))
sys.path[:0] = spec["path"]

class Context:
    function_name = spec.get("function", "floor")
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + function_name
    aws_request_id = str(uuid.uuid4())
    log_group_name = "/aws/lambda/" + function_name
    log_stream_name = "cold"
    function_version = "$LATEST"
    def get_remaining_time_in_millis(self):
        return 60000

result = {}
if spec.get("function"):
    module = importlib.import_module("app")
    imported, cpu_imported = time.perf_counter(), time.process_time()
    # The stand-in's share of the request: each HTTP round trip to the moto server (its own process, on the
    # same shared CPUs), timed around botocore's send, so the bench can tell it from the function's own time.
    import botocore.endpoint
    send = botocore.endpoint.Endpoint._send
    waits = []
    def timed_send(self, request):
        begun = time.perf_counter()
        try:
            return send(self, request)
        finally:
            waits.append(time.perf_counter() - begun)
    botocore.endpoint.Endpoint._send = timed_send
    answer = module.handler(spec["event"], Context())
    done, cpu_done = time.perf_counter(), time.process_time()
    result.update(aws_calls=len(waits), aws_ms=sum(waits) * 1000)
    if isinstance(answer, dict):
        result["status"] = answer.get("statusCode", "ok")
        if isinstance(answer.get("statusCode"), int) and answer["statusCode"] >= 400:
            result["body"] = str(answer.get("body"))[:300]
else:
    import boto3, pydantic
    boto3.client("dynamodb")
    imported, cpu_imported = time.perf_counter(), time.process_time()
    done, cpu_done = imported, cpu_imported
    # Not in the floor: pydantic 2's `import pydantic` is lazy and loads none of the model machinery that any
    # model needs; timed apart (after the floor) to show how much of each function's ratio it is.
    from pydantic import BaseModel
    result.update(cpu_base_model_ms=(time.process_time() - cpu_done) * 1000)
result.update(import_ms=(imported - started) * 1000, request_ms=(done - imported) * 1000)
result.update(cpu_import_ms=(cpu_imported - cpu_started) * 1000, cpu_request_ms=(cpu_done - cpu_imported) * 1000)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    json.dump(result, out)
"""


@dataclass
class Case:
    folder: str  # functions/<folder>
    logical_id: str
    event: Callable[[int], Any]  # run number -> the event of that run's first request


class Bench:
    def __init__(self, stack: LocalStack, api: Api, endpoint: str, work: Path) -> None:
        self.stack = stack
        self.api = api
        self.endpoint = endpoint
        self.work = work
        self.runner = work / "runner.py"
        self.runner.write_text(RUNNER, encoding="utf-8")

    # ------------------------------------------------------------ events
    def http(self, method: str, path: str, as_: dict[str, Any] | None = None, body: Any = None) -> dict[str, Any]:
        found = self.api.router.match(method, path)
        assert found is not None, (method, path)
        route, params = found
        claims = {"iss": ISSUER, "aud": AUDIENCE, **as_} if route.auth == "jwt" and as_ else None
        return http_event(
            method,
            path,
            route_key=route.route_key,
            path_parameters=params,
            query=urlencode({}),
            headers={"content-type": "application/json"},
            body=None if body is None else json.dumps(body, ensure_ascii=False),
            claims=claims,
        )

    # ------------------------------------------------------------ one measurement
    def measure(self, layout: Layout, case: Case | None, run: int) -> dict[str, Any]:
        env = {
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        spec: dict[str, Any] = {"path": layout.python_path(None)}
        if case is not None:
            function = self.stack.functions[case.logical_id]
            env.update({key: str(value) for key, value in function.env.items()})
            env.update(
                AWS_LAMBDA_FUNCTION_NAME=function.name,
                LAMBDA_TASK_ROOT=str(layout.task(case.folder)),
                JWKS_URL=self.api.signer.jwks_url,
            )
            spec.update(path=layout.python_path(case.folder), function=function.name, event=case.event(run))
        spec_file = self.work / f"spec-{uuid.uuid4().hex}.json"
        out_file = self.work / f"out-{uuid.uuid4().hex}.json"
        spec_file.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-S", "-B", str(self.runner), str(spec_file), str(out_file)],
            env=child_environment(env),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{case.folder if case else 'floor'}: exit {done.returncode}\n{done.stderr[-2000:]}")
        result: dict[str, Any] = json.loads(out_file.read_text(encoding="utf-8"))
        spec_file.unlink()
        out_file.unlink()
        return result


def seeds(bench: Bench, runs: int) -> dict[str, list[Any]]:
    """Per run, a fresh wish in each state a first request acts on (made through the real handlers)."""
    api = bench.api

    def submitted() -> str:
        return str(api.post("/wishes", WISH, as_=RESIDENT).json["id"])

    def opened() -> str:
        wish = submitted()
        reply = api.post(f"/wishes/{wish}/review", {"decision": "approve", "mode": "sole"}, as_=OFFICER)
        assert reply.status == 200, reply.text
        return wish

    def claimed(run: int) -> str:
        wish = opened()
        reply = api.post(f"/wishes/{wish}/claims", {}, as_=donor(run))  # a donor holds at most 10 claims
        assert reply.status < 300, reply.text
        return wish

    with environment({}):
        made = {
            "submitted": [submitted() for _ in range(runs)],
            "open": [opened() for _ in range(runs)],
            "claimed": [claimed(run) for run in range(runs)],
        }
    return made


def audit_records(table: str) -> list[dict[str, Any]]:
    from tests.support.stats_feed import audit_items, records_of

    return records_of(audit_items(table))


def cases(bench: Bench, made: dict[str, list[Any]]) -> list[Case]:
    http = bench.http
    stack = bench.stack
    some_wish = made["open"][0]
    records = audit_records(stack.outputs["WishTableName"])
    stream_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/wishes/stream/2026-01-01T00:00:00.000"
    queue_url = stack.functions["EventRouterFunction"].env["NOTIFICATION_QUEUE_URL"]
    queue_arn = "arn:aws:sqs:us-east-1:123456789012:" + queue_url.rsplit("/", 1)[-1]

    def stream(run: int) -> Any:
        return dynamodb_stream_event([records[run % len(records)]], stream_arn=stream_arn)

    def notification_job(run: int) -> Any:
        # what the router put on the queue (the router's runs come first), one message per run
        sqs = boto3.client("sqs", region_name=REGION, endpoint_url=bench.endpoint)
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1).get("Messages", [])
        return sqs_event(messages, queue_arn=queue_arn)

    def late_reply(run: int) -> Any:
        job = {"platform": "wechat", "message_id": f"cold-{run}-{uuid.uuid4().hex}", "to": "cold", "text": "谢谢"}
        message = {"MessageId": uuid.uuid4().hex, "ReceiptHandle": "cold", "Body": json.dumps(job), "Attributes": {}}
        return sqs_event([message], queue_arn="arn:aws:sqs:us-east-1:123456789012:chat-replies")

    schedule = scheduled_event({"trigger": "schedule", "scheduled_time": "<aws.scheduler.scheduled-time>"})
    return [
        Case("submit_wish", "SubmitWishFunction", lambda run: http("POST", "/wishes", RESIDENT, WISH)),
        Case(
            "review_wish",
            "ReviewWishFunction",
            lambda run: http(
                "POST", f"/wishes/{made['submitted'][run]}/review", OFFICER, {"decision": "approve", "mode": "sole"}
            ),
        ),
        Case("wish_query", "WishQueryFunction", lambda run: http("GET", "/wishes")),
        Case("regions", "RegionsFunction", lambda run: http("GET", "/regions")),
        Case("meta", "MetaFunction", lambda run: http("GET", "/health")),
        Case("chat_callback", "ChatCallbackFunction", lambda run: http("GET", "/chat/wechat")),  # refused: unsigned
        Case(
            "escalate_wish",
            "EscalateWishFunction",
            lambda run: http("POST", f"/wishes/{made['open'][run]}/escalation", OFFICER, {"reason": "村里办不了"}),
        ),
        Case(
            "claims",
            "ClaimsFunction",
            lambda run: http("POST", f"/wishes/{made['open'][run]}/claims", person("donor", f"cold-claimer-{run}"), {}),
        ),
        Case(
            "fulfilment",
            "FulfilmentFunction",
            lambda run: http("POST", f"/wishes/{made['claimed'][run]}/delivery", donor(run), {"note": "已送达"}),
        ),
        Case("personal", "PersonalFunction", lambda run: http("GET", "/me/wishes", RESIDENT)),
        Case("chat_bindings", "ChatBindingsFunction", lambda run: http("GET", "/me/chat-bindings", RESIDENT)),
        Case("units", "UnitsFunction", lambda run: http("GET", "/units", OFFICER)),
        Case("volunteers", "VolunteersFunction", lambda run: http("GET", "/me/volunteering", donor(run))),
        Case("records", "RecordsFunction", lambda run: http("GET", f"/wishes/{some_wish}/events", OFFICER)),
        Case("uploads", "UploadsFunction", lambda run: http("GET", f"/wishes/{some_wish}/photos", OFFICER)),
        Case("inbox", "InboxFunction", lambda run: http("GET", "/me/notifications", OFFICER)),
        Case("campaigns", "CampaignsFunction", lambda run: http("GET", "/campaigns")),
        Case("reports", "ReportsFunction", lambda run: http("GET", "/stats")),
        Case("exports", "ExportsFunction", lambda run: http("GET", "/exports/wishes.csv", OFFICER)),
        Case("privacy", "PrivacyFunction", lambda run: http("GET", f"/wishes/{some_wish}/access-log", ADMIN)),
        Case("escalation_sweep", "EscalationSweepFunction", lambda run: schedule),
        Case("lease_sweep", "LeaseSweepFunction", lambda run: schedule),
        Case("retention_sweep", "RetentionSweepFunction", lambda run: schedule),
        Case("stats_consumer", "StatsConsumerFunction", stream),
        Case("event_router", "EventRouterFunction", stream),
        Case("notifier", "NotifierFunction", notification_job),
        Case("replay_dead_letters", "ReplayDeadLettersFunction", lambda run: {"dry_run": True}),
        Case("quota_reminder", "QuotaReminderFunction", lambda run: schedule),
        Case("chat_reply", "ChatReplyFunction", late_reply),  # no platform configured: its job fails, reported
    ]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", help="comma-separated function folders (default: every function)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a function is over the goal")
    parser.add_argument(
        "--bytecode-only", action="store_true", help="measure only the layout `make build` ships (half the time)"
    )
    args = parser.parse_args(argv)

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto server's request lines
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ.update(AWS_DEFAULT_REGION=REGION, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    signer = Signer()
    work = Path(tempfile.mkdtemp(prefix="coldstart-"))
    layouts: list[Layout] = []
    try:
        plan = plan_stack(ROOT / "template.yaml", {"JwtIssuer": ISSUER, "JwtAudience": AUDIENCE})
        stack = deploy_stack(boto3.Session(region_name=REGION), plan, endpoint_url=endpoint)
        bench = Bench(stack, Api(stack, signer), endpoint, work)
        precompiled = (True,) if args.bytecode_only else (False, True)
        made = seeds(bench, args.repeats * len(precompiled))
        chosen = cases(bench, made)
        if args.only:
            wanted = set(args.only.split(","))
            chosen = [case for case in chosen if case.folder in wanted]
        layouts = [build_layout(work / f"layout-{flag}", precompiled=flag) for flag in precompiled]
        figures: dict[tuple[str, bool], list[dict[str, Any]]] = {}
        run = 0
        for _ in range(args.repeats):
            for layout in layouts:  # interleaved: the machine's load drifts alike for both
                for case in chosen:
                    # A floor right before each function: the load of this shared machine swings by 2x within
                    # minutes, so each function is divided by the floor measured next to it.
                    floor = bench.measure(layout, None, run)
                    figures.setdefault(("floor", layout.precompiled), []).append(floor)
                    measured = bench.measure(layout, case, run)
                    measured.update(
                        floor_ms=total(floor, cpu=False),
                        floor_cpu_ms=total(floor, cpu=True),
                        base_model_cpu_ms=float(floor["cpu_base_model_ms"]),
                    )
                    figures.setdefault((case.folder, layout.precompiled), []).append(measured)
                run += 1
        folders = [case.folder for case in chosen]
        report(figures, folders, args.repeats, precompiled)
        met = within_goal(figures, folders)
        return 1 if args.strict and not met else 0
    finally:
        for layout in layouts:
            layout.remove()
        shutil.rmtree(work, ignore_errors=True)
        signer.close()
        server.stop()


def total(result: dict[str, Any], *, cpu: bool) -> float:
    """Import + first request, ms: wall time as measured, or (`cpu`) the interpreter's own CPU time with each
    AWS call counted as CALL_LATENCY_MS (the stand-in's work runs in this process, not the measured one)."""
    if not cpu:
        return float(result["import_ms"]) + float(result["request_ms"])
    own = float(result["cpu_import_ms"]) + float(result["cpu_request_ms"])
    return own + CALL_LATENCY_MS * int(result.get("aws_calls", 0))


def ratio(figures: dict[tuple[str, bool], list[dict[str, Any]]], folder: str, precompiled: bool, *, cpu: bool) -> float:
    """The median, over runs, of (import + first request) / the floor measured right before it."""
    if folder == "floor":
        return 1.0
    return median(
        [total(r, cpu=cpu) / float(r["floor_cpu_ms" if cpu else "floor_ms"]) for r in figures[(folder, precompiled)]]
    )


def ratio_with_models(figures: dict[tuple[str, bool], list[dict[str, Any]]], folder: str, precompiled: bool) -> float:
    """As `ratio` (CPU), over a floor that also imports pydantic's BaseModel (not the issue's floor: shown apart)."""
    if folder == "floor":
        return 1.0
    return median(
        [
            total(r, cpu=True) / (float(r["floor_cpu_ms"]) + float(r["base_model_cpu_ms"]))
            for r in figures[(folder, precompiled)]
        ]
    )


def within_goal(figures: dict[tuple[str, bool], list[dict[str, Any]]], folders: list[str]) -> bool:
    return all(ratio(figures, folder, True, cpu=True) <= GOAL for folder in folders)


def report(
    figures: dict[tuple[str, bool], list[dict[str, Any]]],
    folders: list[str],
    repeats: int,
    precompiled: tuple[bool, ...],
) -> None:
    print(
        f"medians of {repeats} fresh interpreters each, ms; ratio = (import + first request) / the floor measured right"
        f" before it, same layout.\nCPU: the interpreter's own CPU time (user + sys), each AWS call counted as"
        f" {CALL_LATENCY_MS} ms (calls in brackets); wall: as the clock measured it (the moto stand-in's answers and"
        "\nthe machine's other load included). The goal is judged on the CPU ratio of the bytecode layout. +BM: the CPU"
        " ratio over the floor\nplus `from pydantic import BaseModel` (pydantic 2's `import pydantic` loads no model"
        " machinery; floor row: its CPU ms)."
    )
    header = f"{'function':<22}{'status':>7}"
    for flag in precompiled:
        name = "bytecode" if flag else "no bytecode"
        header += f" | {name + ': CPU import':>24}{'request':>12}{'wall':>6}{'CPU':>6}{'+BM':>6}"
    print(header + f"  goal <= {GOAL}x")
    for folder in ["floor", *folders]:
        line = f"{folder:<22}{figures[(folder, True)][-1].get('status', '')!s:>7}"
        for flag in precompiled:
            results = figures[(folder, flag)]
            imported = median([float(r["cpu_import_ms"]) for r in results])
            request = median([float(r["cpu_request_ms"]) for r in results])
            calls = max(int(r.get("aws_calls", 0)) for r in results)
            wall = ratio(figures, folder, flag, cpu=False)
            own = ratio(figures, folder, flag, cpu=True)
            if folder == "floor":  # the BaseModel import's own CPU ms
                models = f"{median([float(r['cpu_base_model_ms']) for r in results]):.0f}ms"
            else:
                models = f"{ratio_with_models(figures, folder, flag):.2f}"
            line += f" | {imported:>24.0f}{f'{request:.0f} ({calls})':>12}{wall:>6.2f}{own:>6.2f}{models:>6}"
        verdict = "" if folder == "floor" else ("ok" if ratio(figures, folder, True, cpu=True) <= GOAL else "OVER")
        print(f"{line}  {verdict}")
        for flag in precompiled:
            for result in figures[(folder, flag)]:
                if "body" in result:
                    print(f"    {folder}: answered {result['status']}: {result['body']}")
                    break
    print(
        "floor: import boto3, pydantic + boto3.client('dynamodb'). Both layouts: the layer read-only, the function"
        "\nfolder apart, PYTHONDONTWRITEBYTECODE=1; the bytecode layout is what `make build` ships. Not modelled: the"
        "\nTLS handshake of a deployed function's first call (moto speaks plain HTTP here)."
    )


if __name__ == "__main__":
    sys.exit(main())
