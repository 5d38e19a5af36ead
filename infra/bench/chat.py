"""The chat callback's reply time for a list command, next to the API call it makes, in the same run.

    python -m infra.bench.chat [N]

Runs both functions' real handlers in-process, warm (one "instance" each, as a warm Lambda), against the
template's stack in moto with the demo data: N times a WeChat safe-mode message "心愿清单 沅陵" (signed and
encrypted as WeChat sends it, decrypted reply) through POST /chat/wechat, and N times GET
/wishes?region=431222 (what the list command reads). With the placeholder conversation (before chattalk's
merge) the callback's figure is the platform wire alone — crypto, the nonce and message records, the
reply — and its respond() does no read; after the merge it includes the list's own reads. WeChat waits
5 s: the figures say how far below that a reply is (moto is slower than DynamoDB per call; compare the
two columns, and count the calls).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]

from infra.local.events import LambdaContext, http_event  # noqa: E402
from infra.local.stack import deploy_stack  # noqa: E402
from tests.support.harness import AUDIENCE, ISSUER, environment, load_handler  # noqa: E402

TEXT = "心愿清单 沅陵"


class Calls:
    """DynamoDB and SSM calls, counted through botocore's event hooks."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        emitter = boto3.DEFAULT_SESSION._session.get_component("event_emitter")
        emitter.register("after-call.*.*", self._count)

    def _count(self, model: Any, **_: object) -> None:
        self.counts[f"{model.service_model.service_name}:{model.name}"] += 1

    def take(self) -> dict[str, int]:
        counts = dict(self.counts)
        self.counts.clear()
        return counts


def _timed(call: Any, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _line(name: str, times: list[float], calls: dict[str, int], n: int) -> str:
    per = ", ".join(f"{k} {v / n:g}" for k, v in sorted(calls.items()))
    p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
    return f"{name:<44} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   per request: {per}"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        boto3.setup_default_session(region_name="us-east-1")
        stack = deploy_stack(
            boto3.DEFAULT_SESSION, ROOT / "template.yaml", {"JwtIssuer": ISSUER, "JwtAudience": AUDIENCE}
        )
        from infra import demo
        from microwish.chat_platforms.simulate import DEV_CREDENTIALS, message_call, reply_text

        with environment({}):
            print(demo.seed(dict(stack.outputs)))
        creds = DEV_CREDENTIALS["wechat"]
        boto3.client("ssm").put_parameter(
            Name=stack.outputs["ChatWeChatParameterName"], Value=json.dumps(creds), Type="SecureString", Overwrite=True
        )
        calls = Calls()
        chat, query = stack.functions["ChatCallbackFunction"], stack.functions["WishQueryFunction"]

        with environment(chat.env):
            handler = load_handler(chat.code_dir, chat.handler)
            context = LambdaContext(function_name=chat.name)

            def chat_once() -> None:
                call = message_call("wechat", creds, "bench-openid", TEXT)
                event = http_event(
                    "POST", call.path, route_key="POST /chat/wechat", query=_query(call.query), body=call.body
                )
                result = handler(event, context)
                assert result["statusCode"] == 200 and reply_text("wechat", creds, result["body"]), result

            started = time.perf_counter()
            chat_once()  # cold: parameters, clients, imports
            cold_ms = (time.perf_counter() - started) * 1000
            calls.take()
            chat_times = _timed(chat_once, n)
            chat_calls = calls.take()

        with environment(query.env):
            handler_q = load_handler(query.code_dir, query.handler)
            context_q = LambdaContext(function_name=query.name)

            def list_once() -> None:
                event = http_event("GET", "/wishes", route_key="GET /wishes", query="region=431222")
                result = handler_q(event, context_q)
                assert result["statusCode"] == 200, result

            list_once()
            calls.take()
            list_times = _timed(list_once, n)
            list_calls = calls.take()

    print(f"\n{n} warm requests each, in-process against moto:")
    print(_line(f"POST /chat/wechat ({TEXT}, safe mode)", chat_times, chat_calls, n))
    print(_line("GET /wishes?region=431222", list_times, list_calls, n))
    difference = statistics.median(chat_times) - statistics.median(list_times)
    print(f"callback − API call (median): {difference:+.1f} ms; first callback (SSM, clients): {cold_ms:.0f} ms")
    print("WeChat and WeCom wait 5000 ms (REPLY_BUDGET_S = 4 s, then the reply goes through the queue)")


def _query(values: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(values)


if __name__ == "__main__":
    main()
