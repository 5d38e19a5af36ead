"""The command line every backfill of the wish table shares: `--table` (deployed) or `--local URL` (the table
`make run` keeps, reached through its moto server), then the backfill's counts printed as JSON."""

from __future__ import annotations

import argparse
import json
import urllib.request
from collections.abc import Callable
from typing import Any


def run(description: str, backfill: Callable[[Any, str], dict[str, int]], argv: list[str] | None = None) -> int:
    import boto3

    parser = argparse.ArgumentParser(description=description)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--table", help="the deployed wish table's name")
    where.add_argument("--local", metavar="URL", help="the local runtime, e.g. http://127.0.0.1:3000")
    parser.add_argument("--region")
    args = parser.parse_args(argv)
    if args.local:
        with urllib.request.urlopen(f"{args.local.rstrip('/')}/dev/runtime", timeout=60) as response:
            runtime = json.loads(response.read())
        client = boto3.client(
            "dynamodb",
            endpoint_url=runtime["moto_endpoint"],
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        table = runtime["outputs"]["WishTableName"]
    else:
        client, table = boto3.client("dynamodb", region_name=args.region), args.table
    print(json.dumps(backfill(client, table)))
    return 0
