"""With TracingMode=Active every API function starts and answers, from what the layer ships.

The template turns Powertools' Tracer on (POWERTOOLS_TRACE_DISABLED=false) when TracingMode is Active,
and the Tracer needs the X-Ray SDK. The dev venv has every package, so the functions run here in a
Lambda-like layout instead (infra/tools/lambda_layout.py): the layer is the closure of
shared/requirements.txt and nothing else, in an interpreter started with -S. Lambda's tracing
environment is set as Lambda sets it (a trace header, context-missing LOG_ERROR, the daemon's address);
the "daemon" is a UDP socket of this test, which must receive the functions' segments.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from infra.bench.coldstart import REGION, Bench, cases, seeds
from infra.local.stack import deploy_stack, plan_stack
from infra.tools.lambda_layout import build_layout, child_environment
from tests.support.harness import AUDIENCE, ISSUER, Api

pytestmark = pytest.mark.slow

CHILD = r"""
import importlib.util, json, os, sys
spec = json.load(open(sys.argv[1], encoding="utf-8"))
sys.path[:0] = spec["path"]
results = {}
for run in spec["runs"]:
    os.environ.update(run["env"])
    sys.path.insert(0, run["task"])
    try:
        loader = importlib.util.spec_from_file_location("app_" + run["folder"], run["task"] + "/app.py")
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)
        class Context:
            function_name = run["folder"]
            memory_limit_in_mb = 512
            invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + run["folder"]
            aws_request_id = "trace-test"
            def get_remaining_time_in_millis(self):
                return 10000
        answer = module.handler(run["event"], Context())
        results[run["folder"]] = {"status": answer.get("statusCode"), "body": str(answer.get("body"))[:200]}
    except Exception as error:
        results[run["folder"]] = {"error": repr(error)}
    finally:
        sys.path.remove(run["task"])
json.dump(results, open(sys.argv[2], "w", encoding="utf-8"))
"""


@pytest.fixture
def moto_server(monkeypatch):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    yield endpoint
    server.stop()


def test_every_api_function_starts_and_answers_with_tracing_on(moto_server, signer, tmp_path: Path) -> None:
    plan = plan_stack(
        Path(__file__).resolve().parents[2] / "template.yaml", {"JwtIssuer": ISSUER, "JwtAudience": AUDIENCE}
    )
    stack = deploy_stack(boto3.Session(region_name=REGION), plan, endpoint_url=moto_server)
    bench = Bench(stack, Api(stack, signer), moto_server, tmp_path)
    api_functions = {route.function for route in stack.routes}
    chosen = [case for case in cases(bench, seeds(bench, 1)) if case.logical_id in api_functions]
    assert {case.logical_id for case in chosen} == api_functions  # every API function has its request

    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.settimeout(0.5)
    layout = build_layout(tmp_path / "layout", precompiled=False)
    try:
        shared_env: dict[str, str] = {}
        for case in chosen:
            shared_env.update({key: str(value) for key, value in stack.functions[case.logical_id].env.items()})
        runs = []
        for case in chosen:
            function = stack.functions[case.logical_id]
            env = {
                **shared_env,
                **{key: str(value) for key, value in function.env.items()},
                "POWERTOOLS_TRACE_DISABLED": "false",  # what TracingMode=Active sets (template Globals)
                "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
                "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon.getsockname()[1]}",
                "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
                "LAMBDA_TASK_ROOT": str(layout.task(case.folder)),
                "AWS_LAMBDA_FUNCTION_NAME": function.name,
                "JWKS_URL": signer.jwks_url,
            }
            runs.append(
                {"folder": case.folder, "task": str(layout.task(case.folder)), "env": env, "event": case.event(0)}
            )
        spec_file, out_file, child = tmp_path / "spec.json", tmp_path / "out.json", tmp_path / "child.py"
        spec_file.write_text(json.dumps({"path": layout.python_path(None), "runs": runs}, ensure_ascii=False))
        child.write_text(CHILD)
        aws = {
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_ENDPOINT_URL": moto_server,
        }
        done = subprocess.run(
            [sys.executable, "-S", "-B", str(child), str(spec_file), str(out_file)],
            env=child_environment(aws),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        results = json.loads(out_file.read_text())
        failed = {name: result for name, result in results.items() if "error" in result or result["status"] >= 500}
        assert not failed, failed
        assert len(results) == len(chosen)

        segments = []
        try:
            while True:
                segments.append(daemon.recv(65536).decode())
        except TimeoutError:
            pass
        traced = {name for name in results if any(f'"## {name}' in s or "## handler" in s for s in segments)}
        assert segments, "no segment reached the daemon's address"
        assert "## handler" in "".join(segments)
        assert traced
    finally:
        daemon.close()
        layout.remove()
