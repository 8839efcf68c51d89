"""With ``--moto``: the resources a function's environment names (buckets, tables, queues, topics) made in
moto, as its template defines them, and the sample object an S3 event names put in its bucket."""

from __future__ import annotations

import struct
import zlib
from typing import Any, Optional, cast

from ...core.templates import Props, as_list, refs
from .function import LocalError, LocalFunction
from .triggers import S3Source

IMAGES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp")
MADE = ("AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::SQS::Queue", "AWS::SNS::Topic")


def client(service: str, region: str) -> Any:
    try:
        import boto3
    except ImportError:
        raise LocalError("--moto needs boto3 and moto: pip install 'constructs_lib[local]'") from None
    make: Any = getattr(boto3, "client")  # one overload per service: no single type
    return make(service, region_name=region)


def sample_png(width: int = 64, height: int = 48) -> bytes:
    """A small RGB gradient as a PNG file (no imaging library needed)."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 4 % 256, y * 5 % 256, 128))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def sample_object(key: str) -> bytes:
    return sample_png() if key.lower().endswith(IMAGES) else b"id,message\n1,sample\n"


def make(function: LocalFunction, logical_id: str) -> Optional[str]:
    """Makes one resource in moto; returns what was made, or None for a type it does not make."""
    names, kind = function.names, function.names.type_of(logical_id)
    properties = cast(Props, function.names.resources[logical_id].get("Properties", {}))
    name, region = names.name(logical_id), names.region
    if kind == "AWS::S3::Bucket":
        where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        client("s3", region).create_bucket(Bucket=name, **where)
    elif kind in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
        client("dynamodb", region).create_table(
            TableName=name, KeySchema=as_list(properties.get("KeySchema")),
            AttributeDefinitions=as_list(properties.get("AttributeDefinitions")), BillingMode="PAY_PER_REQUEST")
    elif kind == "AWS::SQS::Queue":
        fifo = {"FifoQueue": "true"} if properties.get("FifoQueue") is True else {}
        client("sqs", region).create_queue(QueueName=name, Attributes=fifo)
    elif kind == "AWS::SNS::Topic":
        client("sns", region).create_topic(Name=name)
    else:
        return None
    return f"{kind} {name}"


def make_resources(function: LocalFunction, s3: Optional[S3Source], key: str) -> list[str]:
    """Makes what the environment refers to, and the S3 event's bucket with its sample object."""
    variables = function.properties.get("Environment", {})
    wanted = {logical_id for logical_id in refs(variables) if function.names.type_of(logical_id) in MADE}
    if s3 is not None:
        wanted.add(s3.bucket)
    made = [what for logical_id in sorted(wanted) if (what := make(function, logical_id))]
    if s3 is not None:
        bucket = function.names.name(s3.bucket)
        client("s3", function.names.region).put_object(Bucket=bucket, Key=key, Body=sample_object(key))
        made.append(f"s3://{bucket}/{key}")
    return made
