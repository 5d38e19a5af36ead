"""Pure parts of the local runtime: routing, clock durations, cron, filters, the token issuer."""

from __future__ import annotations

from datetime import UTC, datetime

import jwt
import pytest

from infra.local.auth import InputError, LocalIssuer, TokenError, bearer_token
from infra.local.clock import ClockFile, parse_duration
from infra.local.filters import UnsupportedFilter, check, matches_any
from infra.local.httpserver import _relay
from infra.local.routing import Router
from infra.local.schedules import Cron, Timer, UnsupportedSchedule, rate_seconds
from infra.local.stack import RouteSpec, ScheduleSpec


def _route(method, path, function="F", auth="none"):
    return RouteSpec(method, path, function, auth, "Api")


def test_router_prefers_literals_then_variables_then_greedy_then_default():
    router = Router(
        [
            _route("ANY", "$default", "Default"),
            _route("GET", "/wishes/{id}", "Get"),
            _route("GET", "/wishes/mine", "Mine"),
            _route("ANY", "/wishes/{id}", "Any"),
            _route("POST", "/wishes/{id}/review", "Review"),
            _route("GET", "/files/{proxy+}", "Files"),
            _route("GET", "/", "Root"),
        ]
    )
    assert router.match("GET", "/wishes/mine")[0].function == "Mine"
    assert router.match("GET", "/wishes/w-1") == (router.match("GET", "/wishes/w-1")[0], {"id": "w-1"})
    assert router.match("GET", "/wishes/w-1")[0].function == "Get"
    assert router.match("DELETE", "/wishes/w-1")[0].function == "Any"
    assert router.match("POST", "/wishes/w-1/review")[0].function == "Review"
    route, params = router.match("GET", "/files/a/b/c.png")
    assert route.function == "Files" and params == {"proxy": "a/b/c.png"}
    assert router.match("GET", "/")[0].function == "Root"
    assert router.match("PUT", "/nothing/here")[0].function == "Default"


def test_the_runtime_names_no_module_of_the_app_and_the_harness_routes_with_its_matcher():
    """infra/local runs any template: it imports nothing of the app (nor the tests' harness, which does)."""
    import ast
    from pathlib import Path

    from tests.support import harness

    for source in Path(__file__).resolve().parents[2].joinpath("infra", "local").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            for name in names:
                assert not name.startswith(("microwish", "functions", "tests", "infra.demo")), (source.name, name)
    assert harness.Router is Router  # one route matcher, the runtime's


def test_router_without_default_answers_none_for_wrong_method_or_path():
    router = Router([_route("GET", "/health")])
    assert router.match("POST", "/health") is None
    assert router.match("GET", "/health/x") is None
    assert router.match("GET", "/healthz") is None


def test_relay_of_function_results():
    response = _relay(
        {
            "statusCode": 201,
            "headers": {"content-type": "text/plain"},
            "body": "hi",
            "cookies": ["a=1", "b=2"],
        }
    )
    assert response.status == 201 and response.body == b"hi"
    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    binary = _relay({"statusCode": 200, "body": "AP8=", "isBase64Encoded": True})
    assert binary.body == b"\x00\xff"
    bare = _relay({"items": []})
    assert bare.status == 200 and bare.body == b'{"items": []}'
    assert ("Content-Type", "application/json") in bare.headers
    assert _relay({"statusCode": "nope"}) is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("P8D", 8 * 86400),
        ("PT36H", 36 * 3600),
        ("P1W", 604800),
        ("P1DT2H3M4S", 86400 + 7384),
        ("PT0.5S", 0.5),
        ("p2d", 2 * 86400),
    ],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["-P1D", "P", "PT", "P1Y", "P1M", "8 days", "", "P1DT", 5, None, "P99999999999999D", "P36501D"]
)  # past a century: the calendar's end
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_the_clock_runs_at_most_a_century_ahead_in_all(tmp_path):
    """Issue 16 §4: an absurd advance, or many large ones, is refused (422 upstream), never an overflow."""
    clock = ClockFile(tmp_path / "clock.json")
    clock.advance(parse_duration("P36500D"))
    with pytest.raises(ValueError):
        clock.advance(parse_duration("P1D"))
    assert clock.offset() == 36500 * 86400
    clock.now()  # still a date


def test_clock_file_is_shared_state(tmp_path):
    clock = ClockFile(tmp_path / "state" / "clock.json")
    assert clock.offset() == 0
    clock.advance(86400)
    clock.advance(3600)
    assert ClockFile(clock.path).offset() == 90000
    assert clock.state()["offset_seconds"] == 90000
    assert (clock.now() - datetime.now(UTC)).total_seconds() == pytest.approx(90000, abs=5)
    clock.reset()
    assert clock.state()["offset_seconds"] == 0
    assert list(clock.path.parent.iterdir()) == [clock.path]  # no temp files left behind


def test_cron_and_rate():
    nightly = Cron("cron(0 18 * * ? *)")
    assert nightly.matches(datetime(2026, 5, 1, 18, 0))
    assert not nightly.matches(datetime(2026, 5, 1, 18, 1))
    weekdays = Cron("cron(0/15 8-17 ? * MON-FRI *)")
    assert weekdays.matches(datetime(2026, 11, 30, 8, 45))  # a Monday
    assert not weekdays.matches(datetime(2026, 11, 29, 8, 45))  # a Sunday
    assert rate_seconds("rate(1 minute)") == 60 and rate_seconds("rate(2 days)") == 172800
    with pytest.raises(UnsupportedSchedule):
        Cron("cron(0 18 L * ? *)")
    start = datetime(2026, 1, 1, 17, 59, 30, tzinfo=UTC)
    timer = Timer(ScheduleSpec("N", "F", "cron(0 18 * * ? *)", None, "events"), start)
    assert timer.next_at == datetime(2026, 1, 1, 18, 0, tzinfo=UTC)
    shanghai = Timer(ScheduleSpec("S", "F", "cron(0 2 * * ? *)", None, "scheduler", timezone="Asia/Shanghai"), start)
    assert shanghai.next_at == datetime(2026, 1, 1, 18, 0, tzinfo=UTC)  # 02:00 in UTC+8


def test_filter_patterns():
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": {"SK": {"S": "META"}, "n": {"N": "5"}}}}
    assert matches_any([], record)
    assert matches_any([{"eventName": ["INSERT", "MODIFY"]}], record)
    assert not matches_any([{"eventName": ["REMOVE"]}], record)
    assert matches_any([{"dynamodb": {"NewImage": {"SK": {"S": ["META"]}}}}], record)
    assert not matches_any([{"dynamodb": {"OldImage": {"SK": {"S": ["META"]}}}}], record)
    # Operators the template does not use are refused when the stack is read, not matched wrongly.
    check({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"type": {"S": ["audit"]}}}})
    for operator in ({"prefix": "ME"}, {"numeric": [">", 3]}, {"exists": False}, {"anything-but": ["INSERT"]}):
        with pytest.raises(UnsupportedFilter):
            check({"dynamodb": {"NewImage": {"SK": {"S": [operator]}}}})
    assert matches_any([{"body": {"kind": ["sms"]}}], {"body": '{"kind": "sms"}'}, sqs=True)


def test_local_issuer_tokens_and_verification():
    issuer = LocalIssuer("http://127.0.0.1:3000/dev", "micro-wish-local")
    token = issuer.mint({"role": "officer", "sub": "o-1", "region": "431222", "name": "李"})
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["kid"] == issuer.kid
    claims = issuer.verify(token, issuer=issuer.issuer, audience=("micro-wish-local",))
    assert claims["cognito:groups"] == ["officer"] and claims["custom:region"] == "431222"
    assert claims["exp"] - claims["iat"] == 24 * 3600 and claims["token_use"] == "id"
    with pytest.raises(TokenError):
        issuer.verify(token, issuer="http://elsewhere", audience=("micro-wish-local",))
    with pytest.raises(TokenError):
        issuer.verify(token, issuer=issuer.issuer, audience=("someone-else",))
    other = LocalIssuer(issuer.issuer, issuer.audience).mint({"role": "officer", "sub": "o-1"})
    with pytest.raises(TokenError):
        issuer.verify(other, issuer=issuer.issuer, audience=("micro-wish-local",))
    for bad, field in (
        ({"role": "boss", "sub": "x"}, "role"),
        ({"role": "donor"}, "sub"),
        ({"role": "donor", "sub": "x", "region": 12}, "region"),
    ):
        with pytest.raises(InputError) as error:
            issuer.mint(bad)
        assert error.value.field == field
    assert bearer_token("Bearer abc") == "abc" and bearer_token("abc") == "abc" and bearer_token("") is None


def test_code_watcher_retires_the_functions_whose_folders_changed(tmp_path):
    import os
    import threading

    from infra.local.reload import CodeWatcher

    code, layer, other = tmp_path / "code", tmp_path / "layer", tmp_path / "other"
    for folder in (code, layer, other):
        folder.mkdir()
        (folder / "app.py").write_text("x = 1\n")
    template = tmp_path / "template.yaml"
    template.write_text("Resources: {}\n")
    retired, logs = [], []
    watcher = CodeWatcher(
        {"A": [str(code), str(layer)], "B": [str(other), str(layer)], "C": [str(other)]},
        template,
        retired.append,
        lambda who, message: logs.append(message),
        threading.Event(),
    )
    assert watcher.check() == []
    later = os.stat(layer / "app.py").st_mtime_ns + 5_000_000_000
    os.utime(layer / "app.py", ns=(later, later))
    assert sorted(watcher.check()) == ["A", "B"]
    (code / "new_module.py").write_text("")
    assert watcher.check() == ["A"]
    (code / "__pycache__").mkdir()
    (code / "__pycache__" / "app.cpython-313.pyc").write_bytes(b"")
    assert watcher.check() == []
    os.utime(template, ns=(later, later))
    watcher.check()
    assert "restart" in logs[-1]


def test_stale_state_folders_of_killed_runtimes_go_at_the_next_start(tmp_path):
    """Issue 16 §4: a SIGKILLed runtime cannot clean up; the next one removes what it left, never a live one's."""
    import os
    import subprocess
    import sys
    import time

    from infra.local.runtime import OWNER_FILE, STATE_PREFIX, remove_stale_state_dirs

    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    dead, live, old, new = (tmp_path / f"{STATE_PREFIX}{name}" for name in ("dead", "live", "old", "new"))
    for folder in (dead, live, old, new):
        folder.mkdir()
        (folder / "outbox.jsonl").write_text("{}\n")
    (dead / OWNER_FILE).write_text(finished.stdout.strip())
    (live / OWNER_FILE).write_text(str(os.getpid()))
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    removed = remove_stale_state_dirs(tmp_path)
    assert sorted(removed) == sorted([dead, old])
    assert live.exists() and new.exists() and not dead.exists() and not old.exists()
