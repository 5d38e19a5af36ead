"""The local runtime itself, over HTTP: nothing here depends on the app's business logic.

`runtime` runs the project's template.yaml; `fixture_runtime` the small fixture app in
tests/local/fixtures/app (handlers that echo events, fail on demand and write to the outbox),
for what the real app cannot show on demand (queues, streams, failures, timeouts).
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from infra.local.translate import load_template

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"


# --- what the template declares (read from the YAML, not from the runtime) --------------------------


def _sam_events(template: Path, *types: str):
    sam = load_template(template)
    for fid, resource in sam["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in ((resource.get("Properties") or {}).get("Events") or {}).values():
            if event["Type"] in types:
                yield fid, event.get("Properties") or {}


def declared_schedule_count(template: Path) -> int:
    sam = load_template(template)
    raw = [
        r
        for r in sam["Resources"].values()
        if r["Type"] == "AWS::Scheduler::Schedule"
        or (r["Type"] == "AWS::Events::Rule" and "ScheduleExpression" in (r.get("Properties") or {}))
    ]
    return len(list(_sam_events(template, "Schedule", "ScheduleV2"))) + len(raw)


def jwt_route(template: Path) -> tuple[str, str]:
    """(method, concrete path) of a route behind the API's default (JWT) authorizer."""
    sam = load_template(template)
    for _, props in _sam_events(template, "HttpApi"):
        if (props.get("Auth") or {}).get("Authorizer") == "NONE":
            continue
        api = sam["Resources"].get((props.get("ApiId") or {}).get("Ref", ""), {})
        if not ((api.get("Properties") or {}).get("Auth") or {}).get("DefaultAuthorizer"):
            continue
        path = re.sub(r"\{[^}]+\}", "x-1", props["Path"])
        return str(props.get("Method", "GET")).upper(), path
    pytest.skip("the template has no JWT route")


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["type"] and body["title"]
    return body


# --- the project's template ------------------------------------------------------------------------


def test_starts_well_under_a_minute(runtime):
    assert runtime.startup_seconds is not None and runtime.startup_seconds < 60
    assert runtime.describe()["startup_seconds"] < 60


def test_dev_tokens(runtime):
    response = runtime.post(
        "/dev/tokens", json={"role": "officer", "sub": "officer-1", "region": "431222", "name": "王主任"}
    )
    assert response.status_code == 201
    token = response.json()["token"]
    jwks = runtime.get("/dev/.well-known/jwks.json").json()
    (key,) = jwks["keys"]
    assert jwt.get_unverified_header(token)["kid"] == key["kid"]
    claims = jwt.decode(
        token,
        RSAAlgorithm.from_jwk(key),
        algorithms=["RS256"],
        audience="micro-wish-local",
        issuer=f"{runtime.url}/dev",
    )
    assert claims["sub"] == "officer-1"
    assert claims["cognito:groups"] == ["officer"]
    assert claims["custom:region"] == "431222" and claims["name"] == "王主任"
    assert claims["exp"] - claims["iat"] == 24 * 3600
    assert abs(claims["iat"] - time.time()) < 60


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "boss", "sub": "x"}, "role"),
        ({"sub": "x"}, "role"),
        ({"role": "donor"}, "sub"),
        ({"role": "donor", "sub": ""}, "sub"),
    ],
)
def test_dev_tokens_422(runtime, body, field):
    problem = assert_problem(runtime.post("/dev/tokens", json=body), 422)
    assert [e["field"] for e in problem["errors"]] == [field]


def test_jwt_route_401_without_or_with_a_foreign_token(runtime):
    method, path = jwt_route(Path(runtime.template))
    assert_problem(runtime.request(method, path, json={}), 401)
    assert_problem(runtime.request(method, path, json={}, headers={"Authorization": "Bearer nonsense"}), 401)
    foreign_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    forged = jwt.encode(
        {
            "sub": "officer-1",
            "cognito:groups": ["admin"],
            "iss": f"{runtime.url}/dev",
            "aud": "micro-wish-local",
            "iat": now,
            "exp": now + 3600,
        },
        foreign_key,
        algorithm="RS256",
        headers={"kid": runtime.get("/dev/.well-known/jwks.json").json()["keys"][0]["kid"]},
    )
    assert_problem(runtime.request(method, path, json={}, token=forged), 401)
    valid = runtime.token("admin", "admin-1", region="43")
    assert runtime.request(method, path, json={}, token=valid).status_code != 401


def test_unknown_route_is_a_404_problem(runtime):
    for method, path in (("GET", "/no/such/route"), ("DELETE", "/health"), ("PATCH", "/")):
        problem = assert_problem(runtime.request(method, path), 404)
        assert problem["type"] == "about:blank" and problem["title"] == "Not Found"


def test_clock_advance_and_reset(runtime):
    try:
        assert runtime.post("/dev/clock", json={"reset": True}).json()["offset_seconds"] == 0
        response = runtime.post("/dev/clock", json={"advance": "P8D"})
        assert response.status_code == 200
        state = response.json()
        assert state["offset_seconds"] == 8 * 86400
        now = datetime.fromisoformat(state["now"].replace("Z", "+00:00"))
        assert abs((now - datetime.now(UTC)).total_seconds() - 8 * 86400) < 60
        assert runtime.post("/dev/clock", json={"advance": "PT12H"}).json()["offset_seconds"] == 8 * 86400 + 43200
        assert runtime.get("/dev/clock").json()["offset_seconds"] == 8 * 86400 + 43200
        for bad in ("-P1D", "eight days", "P", 8):
            assert_problem(runtime.post("/dev/clock", json={"advance": bad}), 422)
        assert_problem(runtime.post("/dev/clock", json={}), 422)
    finally:
        state = runtime.post("/dev/clock", json={"reset": True}).json()
    assert state["offset_seconds"] == 0


def test_outbox_lists_newest_first(runtime):
    response = runtime.get("/dev/outbox")
    assert response.status_code == 200
    items = response.json()["items"]
    assert isinstance(items, list)


def test_schedules_run_once_per_declared_schedule(runtime):
    expected = declared_schedule_count(Path(runtime.template))
    response = runtime.post("/dev/schedules/run")
    assert response.status_code == 200
    runs = response.json()["runs"]
    assert len(runs) == expected
    for run in runs:
        assert set(run) >= {"schedule", "function", "ok", "result"}
        assert isinstance(run["ok"], bool)
    assert len({run["schedule"] for run in runs}) == expected


def test_cors_preflight_follows_the_template(runtime):
    sam = load_template(Path(runtime.template))
    cors = next(
        (
            r["Properties"].get("CorsConfiguration")
            for r in sam["Resources"].values()
            if r["Type"] == "AWS::Serverless::HttpApi" and "CorsConfiguration" in r["Properties"]
        ),
        None,
    )
    if not cors:
        pytest.skip("no CorsConfiguration")
    response = runtime.request(
        "OPTIONS",
        "/health",
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "http://localhost:5173")
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_body_over_10_mb_is_413(runtime):
    assert_problem(runtime.post("/health", data=b"x" * (10 * 1024 * 1024 + 1)), 413)


# --- the fixture app: events, failures, event sources ----------------------------------------------


def _echo(response):
    assert response.status_code == 200, response.text
    return response.json()


def test_http_event_reaches_the_function_as_api_gateway_builds_it(fixture_runtime):
    rt = fixture_runtime
    response = rt.get("/things/a%20b?x=1&x=2&y=", headers={"Cookie": "s=1; t=2", "X-Trace": "abc"})
    payload = _echo(response)
    event = payload["event"]
    assert event["routeKey"] == "GET /things/{id}"
    assert event["rawPath"] == "/things/a%20b"
    assert event["pathParameters"] == {"id": "a b"}
    assert event["queryStringParameters"] == {"x": "1,2", "y": ""}
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["headers"]["x-trace"] == "abc"
    assert "authorizer" not in event["requestContext"]
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
    env = payload["env"]
    assert env["JWKS_URL"] == f"{rt.url}/dev/.well-known/jwks.json"
    assert env["AWS_ENDPOINT_URL"] == rt.describe()["moto_endpoint"]
    assert env["MICROWISH_CLOCK_FILE"] and env["MICROWISH_OUTBOX_FILE"]
    assert payload["function_name"].startswith("microwish-ApiFunction") and payload["memory"] == 256
    assert 0 < payload["remaining_ms"] <= 3000


def test_jwt_claims_as_the_authorizer_hands_them_over(fixture_runtime):
    rt = fixture_runtime
    token = rt.token("officer", "officer-7", region="431222", name="李")
    event = _echo(rt.post("/things/w1/review", token=token, json={"a": "微"}))["event"]
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["cognito:groups"] == "[officer]"
    assert claims["sub"] == "officer-7" and claims["custom:region"] == "431222"
    assert all(isinstance(v, str) for v in claims.values())
    assert json.loads(event["body"]) == {"a": "微"} and event["isBase64Encoded"] is False
    # A bare return value (no statusCode) is a 200 JSON body, as API Gateway makes it.
    response = rt.get("/me", token=token)
    assert response.status_code == 200 and response.json()["claims"]["sub"] == "officer-7"


def test_binary_bodies_and_cookies_are_relayed(fixture_runtime):
    response = fixture_runtime.request("PUT", "/files/a/b.bin", data=b"\xff\x00")
    assert response.status_code == 200
    assert response.content == b"\x00\xffbinary"
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]


def test_a_failing_function_is_a_500_and_a_timeout_too(fixture_runtime):
    rt = fixture_runtime
    token = rt.token("officer", "o")
    response = rt.post("/things/1/review", token=token, json={"action": "crash"})
    assert response.status_code == 500
    assert response.json() == {"type": "about:blank", "title": "Internal Server Error", "status": 500}
    started = time.monotonic()
    response = rt.post("/things/1/review", token=token, json={"action": "sleep", "seconds": 5})
    assert response.status_code == 500 and 2.5 < time.monotonic() - started < 5
    assert _echo(rt.get("/things/after-timeout"))["event"]  # a fresh worker takes over


def test_workers_are_reused_and_run_concurrently(fixture_runtime):
    rt = fixture_runtime
    token = rt.token("officer", "o")
    first, second = _echo(rt.get("/things/1")), _echo(rt.get("/things/2"))
    assert first["pid"] == second["pid"] or rt.describe()["functions"]["ApiFunction"]["workers"] > 1
    with ThreadPoolExecutor(6) as pool:
        results = list(
            pool.map(
                lambda _: _echo(rt.post("/things/1/review", token=token, json={"action": "sleep", "seconds": 1})),
                range(6),
            )
        )
    pids = {r["pid"] for r in results}
    assert 2 <= len(pids) <= 4  # MICROWISH_LOCAL_CONCURRENCY defaults to 4


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def _moto(rt, service):
    return boto3.client(
        service,
        endpoint_url=rt.describe()["moto_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_sqs_source_deletes_only_successes_and_dead_letters_poison(fixture_runtime):
    rt = fixture_runtime
    token = rt.token("officer", "o")
    _echo(rt.post("/things/1/review", token=token, json={"action": "enqueue", "messages": ["m1", "fail", "m2"]}))

    def delivered():
        bodies = [i.get("body") for i in rt.get("/dev/outbox").json()["items"] if i["channel"] == "sqs"]
        return {"m1", "m2"} <= set(bodies) and bodies

    bodies = _wait_for(delivered)
    assert bodies.count("m1") == 1  # deleted after success: not redelivered
    dlq = rt.describe()["outputs"]["NotifyDLQUrl"]
    sqs = _moto(rt, "sqs")

    def dead_lettered():
        messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
        return [m["Body"] for m in messages]

    assert _wait_for(dead_lettered, timeout=30) == ["fail"]


def test_stream_source_retries_then_sends_to_the_failure_destination(fixture_runtime):
    rt = fixture_runtime
    token = rt.token("officer", "o")
    items = [{"pk": "s1", "sk": "1"}, {"pk": "s2", "sk": "1", "fail": "always"}, {"pk": "s3", "sk": "1"}]
    _echo(rt.post("/things/1/review", token=token, json={"action": "put", "items": items}))

    def streamed():
        return [i for i in rt.get("/dev/outbox").json()["items"] if i["channel"] == "stream" and i["pk"] == "s1"]

    (record,) = _wait_for(streamed)
    assert record["event"] == "INSERT"
    failures_url = rt.describe()["outputs"]["StreamFailureQueueUrl"]
    sqs = _moto(rt, "sqs")

    def failure_record():
        messages = sqs.receive_message(QueueUrl=failures_url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(m["Body"]) for m in messages]

    (failure,) = _wait_for(failure_record, timeout=30)
    info = failure["DDBStreamBatchInfo"]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 3  # MaximumRetryAttempts: 2
    assert info["batchSize"] == 2 and "/stream/" in info["streamArn"]
    outbox = rt.get("/dev/outbox").json()["items"]
    assert not [i for i in outbox if i["channel"] == "stream" and i["pk"] in ("s2", "s3")]


def test_fixture_schedules_get_their_input_and_see_the_clock(fixture_runtime):
    rt = fixture_runtime
    try:
        rt.post("/dev/clock", json={"advance": "P1D"})
        runs = rt.post("/dev/schedules/run").json()["runs"]
    finally:
        rt.post("/dev/clock", json={"reset": True})
    assert {run["schedule"]: run["result"]["job"] for run in runs} == {
        "RawSchedule": "raw",
        "SchedFunctionEscalate": "escalate",
        "SchedFunctionNightly": "nightly",
    }
    assert all(run["ok"] and run["result"]["offset_seconds"] == 86400 for run in runs)


def test_a_failing_timer_run_is_retried_then_sent_to_on_failure(fixture_runtime):
    rt = fixture_runtime
    try:
        rt.post("/dev/clock", json={"advance": "PT666S"})  # the fixture's schedule fails at this offset
        started = time.monotonic()
        (run,) = rt.post("/dev/schedules/run", json={"schedule": "RawSchedule", "async": True}).json()["runs"]
        elapsed = time.monotonic() - started
    finally:
        rt.post("/dev/clock", json={"reset": True})
    assert run["ok"] is False and "asked to fail" in run["error"]
    assert elapsed >= 2  # one retry (MaximumRetryAttempts: 1) after a pause
    sqs = _moto(rt, "sqs")
    messages = sqs.receive_message(QueueUrl=rt.describe()["outputs"]["SchedFailureQueueUrl"]).get("Messages", [])
    (record,) = [json.loads(m["Body"]) for m in messages]
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestPayload"] == {"job": "raw"}
    assert record["responsePayload"]["errorType"] == "RuntimeError"
    bad = rt.post("/dev/schedules/run", json={"schedule": "NoSuchSchedule"})
    assert_problem(bad, 422)


def test_outbox_is_newest_first(fixture_runtime):
    rt = fixture_runtime
    token = rt.token("officer", "o")
    for _ in range(2):
        _echo(rt.post("/things/1/review", token=token, json={"action": "outbox"}))
    items = rt.get("/dev/outbox").json()["items"]
    stamps = [i["at"] for i in items]
    assert stamps == sorted(stamps, reverse=True)


def test_edited_code_runs_on_the_next_invocation(spawn_runtime, fixture_template, tmp_path):
    import shutil

    app = tmp_path / "app"
    shutil.copytree(fixture_template.parent, app, ignore=shutil.ignore_patterns("__pycache__"))
    rt = spawn_runtime(app / "template.yaml", seed=False)
    try:
        before = _echo(rt.get("/things/1"))
        handler = app / "functions" / "api" / "app.py"
        source = handler.read_text(encoding="utf-8")
        handler.write_text(source.replace('return _json(200, {"ok": True})', 'return _json(200, {"ok": "v2"})'))
        layer = app / "shared" / "fixturelib" / "__init__.py"
        layer.write_text(layer.read_text(encoding="utf-8") + "\nVERSION = 2\n", encoding="utf-8")

        def reloaded():
            return rt.get("/health").json().get("ok") == "v2"

        _wait_for(reloaded, timeout=15)
        after = _echo(rt.get("/things/1"))
        assert after["pid"] != before["pid"]
        assert "changed" in rt.log()
    finally:
        assert rt.stop() == 0


# --- stopping ------------------------------------------------------------------------------------


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:  # a zombie waiting for its (dead) parent counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


def test_sigterm_stops_everything_cleanly(spawn_runtime, fixture_template):
    rt = spawn_runtime(fixture_template, seed=False)
    try:
        _echo(rt.get("/things/1"))  # a worker exists
        pids = rt.describe()["pids"]
        children = [pids["moto"], *pids["workers"]]
        assert len(children) >= 2
    finally:
        rt.process.send_signal(signal.SIGTERM)
        status = rt.process.wait(timeout=20)
        log = rt.log()
        rt.stop()
    assert status == 0, log[-3000:]
    assert "stopped" in log
    deadline = time.monotonic() + 5
    while not all(_gone(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_gone(pid) for pid in children), children


def test_dev_routes_answer_bad_input_with_4xx(runtime):
    """Issue 16 §4: deep nesting and absurd periods are the client's mistake (4xx), not a 500."""
    deep = "[" * 10_000 + "]" * 10_000
    tokens = runtime.http.post(runtime.url + "/dev/tokens", data=deep, timeout=30)
    assert tokens.status_code == 400, tokens.text
    before = runtime.get("/dev/clock").json()["offset_seconds"]
    absurd = runtime.post("/dev/clock", json={"advance": "P99999999999999D"})
    assert absurd.status_code == 422 and absurd.json()["errors"][0]["field"] == "advance"
    assert runtime.get("/dev/clock").json()["offset_seconds"] == before  # refused: the clock did not move
