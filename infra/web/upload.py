"""Upload the web app's build (web/dist) to the stack's WebBucket, with the right cache headers.

    python -m infra.web.upload --stack micro-wish [--region cn-northwest-1] [--dist web/dist] [--dry-run]

Hashed files under assets/ are immutable for a year; index.html and config.json are never cached,
so a new build is live on the next load. config.json is written from the stack: the API's URL and
the OIDC issuer and client id it trusts (one build serves every stage; no /dev sign-in there).
Assets go up first and index.html last, so no page ever names an asset that is not there yet.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PREFIX = "app/"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache, no-store, must-revalidate"
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
}


def plan(dist: Path, config: dict) -> list[tuple[str, bytes, str, str]]:
    """(key, body, content type, cache control) in upload order."""
    files = sorted(p for p in dist.rglob("*") if p.is_file())
    items = []
    for path in files:
        relative = path.relative_to(dist).as_posix()
        content_type = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/binary"
        cache = IMMUTABLE if relative.startswith("assets/") else NO_CACHE
        items.append((PREFIX + relative, path.read_bytes(), content_type, cache))
    items.append((PREFIX + "config.json", json.dumps(config, ensure_ascii=False).encode(), TYPES[".json"], NO_CACHE))
    # Assets, then everything else, then index.html.
    index = PREFIX + "index.html"
    return sorted(items, key=lambda item: (item[0] == index, not item[0].startswith(PREFIX + "assets/")))


def stack_settings(cloudformation, stack: str) -> tuple[str, dict]:
    description = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in description.get("Outputs", [])}
    parameters = {p["ParameterKey"]: p.get("ParameterValue") for p in description.get("Parameters", [])}
    config = {
        "api_base": outputs["ApiUrl"],
        "oidc_issuer": parameters.get("JwtIssuer"),
        "oidc_client_id": parameters.get("JwtAudience"),
    }
    return outputs["WebBucketName"], config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--region")
    parser.add_argument("--dist", type=Path, default=REPO / "web" / "dist")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    if not (args.dist / "index.html").exists():
        print(f"no build in {args.dist}: run `make web` first", file=sys.stderr)
        return 2
    import boto3

    session = boto3.Session(region_name=args.region)
    bucket, config = stack_settings(session.client("cloudformation"), args.stack)
    s3 = session.client("s3")
    for key, body, content_type, cache in plan(args.dist, config):
        print(f"{'would put' if args.dry_run else 'put'} s3://{bucket}/{key}  ({cache})")
        if not args.dry_run:
            s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, CacheControl=cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
