"""Create the media bucket (``ECHOLOOP_S3_BUCKET``) if it is missing: compose's one-shot ``bucket``.

Retries while the S3 endpoint is still starting; exits non-zero if it never answers.
"""

from __future__ import annotations

import os
import sys
import time

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError

ATTEMPTS = 30


def ensure_bucket(client, bucket: str, region: str | None) -> bool:
    """True if the bucket was created, False if it was there already."""
    try:
        client.head_bucket(Bucket=bucket)
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
            raise
    options = {}
    if region and region != "us-east-1":  # us-east-1 refuses an explicit location constraint
        options["CreateBucketConfiguration"] = {"LocationConstraint": region}
    client.create_bucket(Bucket=bucket, **options)
    return True


def main() -> int:
    bucket = os.environ["ECHOLOOP_S3_BUCKET"]
    region = os.environ.get("ECHOLOOP_S3_REGION") or None
    client = boto3.client(
        "s3", endpoint_url=os.environ.get("ECHOLOOP_S3_ENDPOINT_URL") or None, region_name=region
    )
    for _attempt in range(ATTEMPTS):
        try:
            created = ensure_bucket(client, bucket, region)
        except EndpointConnectionError:
            time.sleep(2)
            continue
        print(f"bucket {bucket}: {'created' if created else 'exists'}")
        return 0
    print(f"bucket {bucket}: the S3 endpoint did not answer", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
