"""The private S3 bucket of delivery photos: pre-signed uploads only, nothing public."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config


@cache
def s3_client() -> Any:
    # SigV4 so the signed URL carries the content type and length the bucket will insist on.
    return boto3.client("s3", config=Config(signature_version="s3v4"))


def presign_put(bucket: str, key: str, content_type: str, size_bytes: int, expires_in: int) -> str:
    return s3_client().generate_presigned_url(
        "put_object",
        Params={"Bucket": bucket, "Key": key, "ContentType": content_type, "ContentLength": size_bytes},
        ExpiresIn=expires_in,
    )
