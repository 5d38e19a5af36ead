"""Benchmarks: scripts that print figures (never timed tests). Run with `python -m infra.bench.<name>`."""

import os


def offline_aws_env() -> None:
    """Dummy credentials and no endpoint or local clock: a bench's in-process moto, never a real account."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ[name] = "testing"
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.pop("MICROWISH_CLOCK_FILE", None)
