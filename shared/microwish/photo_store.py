"""The private S3 bucket of delivery photos: pre-signed uploads only, nothing public."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


@cache
def s3_client() -> Any:
    # SigV4 so the signed URL carries the content type and length the bucket will insist on.
    return boto3.client("s3", config=Config(signature_version="s3v4"))


# Uploads are tagged pending (the tag is signed into the PUT); the bucket's lifecycle rule expires
# pending objects; attaching a photo to a delivery retags it attached.
PENDING = "state=pending"


def presign_put(bucket: str, key: str, content_type: str, size_bytes: int, expires_in: int) -> str:
    url: str = s3_client().generate_presigned_url(
        "put_object",
        Params={
            "Bucket": bucket,
            "Key": key,
            "ContentType": content_type,
            "ContentLength": size_bytes,
            "Tagging": PENDING,
        },
        ExpiresIn=expires_in,
    )
    return url


def exists(bucket: str, key: str) -> bool:
    try:
        s3_client().head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def mark_attached(bucket: str, key: str) -> None:
    """Out of the pending state, so the lifecycle rule keeps it (idempotent)."""
    s3_client().put_object_tagging(Bucket=bucket, Key=key, Tagging={"TagSet": [{"Key": "state", "Value": "attached"}]})


def presign_get(bucket: str, key: str, expires_in: int) -> str:
    """A short-lived URL to read one photo (no listing: the caller names the key)."""
    url: str = s3_client().generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_in
    )
    return url
