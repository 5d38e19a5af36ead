"""Create the process's DynamoDB client at init, not on the first request.

Lambda runs a function's init (its module imports) at full CPU, before any request waits; creating the
client (botocore's service model, endpoint rules) was two thirds of a first request. Each entry point
calls `create_clients()` at import. Without a region (a unit test importing an entry point, a tool) it
does nothing: the client is then created on first use, as before.
"""

from __future__ import annotations

import os

from .table import dynamodb_client


def create_clients() -> None:
    if os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"):
        dynamodb_client()
