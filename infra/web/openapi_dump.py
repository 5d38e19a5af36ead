"""Write the API's OpenAPI document (the one GET /openapi.json serves) without starting a server.

    python -m infra.web.openapi_dump [-o build/openapi.json]

The web app's TypeScript types are generated from this file (`make web-types`), so the document
is built in-process from the same route modules the meta function serves.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def document() -> dict:
    sys.path.insert(0, str(REPO / "shared"))
    # Building the app reads settings from the environment; none of them matter for the schema.
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_SERVICE_NAME": "microwish",
        "POWERTOOLS_METRICS_NAMESPACE": "MicroWish",
    }.items():
        os.environ.setdefault(name, value)
    from microwish.api.openapi import document as served_document

    return served_document()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=REPO / "build" / "openapi.json")
    args = parser.parse_args(argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
