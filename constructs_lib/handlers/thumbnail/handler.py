"""Makes thumbnails of images uploaded to S3 and records each image's metadata in DynamoDB.

Permanent problems with an upload (not an image, empty, truncated, too many pixels, deleted before it
was read) are recorded as `rejected` and the invocation succeeds; S3 and DynamoDB errors raise, so
Lambda retries the event and, after the retries, sends it to the on-failure destination.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError
from PIL import Image, ImageOps, UnidentifiedImageError

logger = Logger(service="thumbnail")

THUMBNAIL_BUCKET = os.environ["THUMBNAIL_BUCKET"]
SIZES = sorted({int(s) for s in os.environ.get("THUMBNAIL_SIZES", "256").split(",")}, reverse=True)
SOURCE_PREFIX = os.environ.get("SOURCE_PREFIX", "")
MAX_PIXELS = int(os.environ.get("MAX_PIXELS", str(50_000_000)))
JPEG_QUALITY = 85

# Pillow refuses (rather than warns about) anything over our own limit: decompression bombs.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)

s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table(os.environ["METADATA_TABLE"])


class Rejected(Exception):
    """The upload can never be made into thumbnails; the message says why, for a person."""


@dataclass(frozen=True)
class Upload:
    bucket: str
    key: str
    version_id: str | None
    event_time: str


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    counts = {"done": 0, "rejected": 0, "ignored": 0}
    for record in event.get("Records", []):
        upload = upload_of(record)
        if is_own_output(upload):
            logger.info("ignored: written by this pipeline", extra={"bucket": upload.bucket, "key": upload.key})
            counts["ignored"] += 1
            continue
        counts[process(upload)] += 1
    logger.info("batch processed", extra=counts)
    return counts


def upload_of(record: dict[str, Any]) -> Upload:
    s3_part = record["s3"]
    return Upload(
        bucket=s3_part["bucket"]["name"],
        key=unquote_plus(s3_part["object"]["key"]),  # S3 events URL-encode keys ('+' for spaces)
        version_id=s3_part["object"].get("versionId"),
        event_time=iso_utc(record.get("eventTime")),
    )


def is_own_output(upload: Upload) -> bool:
    """Thumbnails are never sources: that would be a loop."""
    if upload.bucket != THUMBNAIL_BUCKET:
        return False
    return not (SOURCE_PREFIX and upload.key.startswith(SOURCE_PREFIX))


def process(upload: Upload) -> str:
    size_bytes = 0
    try:
        data = read(upload)
        size_bytes = len(data)
        item = make_thumbnails(upload, data)
    except Rejected as reason:
        item = metadata(upload, size_bytes) | {"status": "rejected", "error": str(reason)}
        logger.warning("rejected", extra={"key": upload.key, "error": str(reason)})
    else:
        logger.info("thumbnails made", extra={"key": upload.key, "thumbnails": len(item["thumbnails"])})
    table.put_item(Item=item)
    return item["status"]


def read(upload: Upload) -> bytes:
    request = {"Bucket": upload.bucket, "Key": upload.key}
    if upload.version_id:
        request["VersionId"] = upload.version_id  # the version this event is about, however often retried
    try:
        body = s3.get_object(**request)["Body"].read()
    except ClientError as error:
        if error.response["Error"]["Code"] in ("NoSuchKey", "NoSuchVersion", "404"):
            raise Rejected("the object was deleted before it could be read") from error
        raise  # transient or permission problem: let Lambda retry
    if not body:
        raise Rejected("the file is empty")
    return body


def make_thumbnails(upload: Upload, data: bytes) -> dict[str, Any]:
    image, (width, height) = decode(data, largest=SIZES[0])
    source_format = image.format or "unknown"
    image = normalise(image)
    fmt, extension, content_type = output_format(image, source_format)
    stem = str(PurePosixPath(upload.key).with_suffix(""))
    thumbnails = []
    current = image
    for size in SIZES:  # largest first: each smaller one is derived from the previous
        current = current.copy()
        current.thumbnail((size, size), Image.Resampling.LANCZOS)  # fits, keeps ratio, never upscales
        key = f"{size}/{stem}.{extension}"
        s3.put_object(
            Bucket=THUMBNAIL_BUCKET, Key=key, Body=encode(current, fmt), ContentType=content_type
        )
        thumbnails.append({"size": size, "key": key, "width": current.width, "height": current.height})
    return metadata(upload, len(data)) | {
        "status": "done", "width": width, "height": height, "format": source_format, "thumbnails": thumbnails,
    }


TOO_MANY_PIXELS = f"the image has more pixels than the {MAX_PIXELS} allowed (a possible decompression bomb)"


def decode(data: bytes, largest: int) -> tuple[Image.Image, tuple[int, int]]:
    """Decodes once and returns the image with its original size.

    JPEGs are decoded at the smallest scale (1/2, 1/4, 1/8) that still covers `largest`.
    """
    try:
        image = Image.open(io.BytesIO(data))
        original_size = image.size
        if original_size[0] * original_size[1] > MAX_PIXELS:
            raise Rejected(TOO_MANY_PIXELS)
        source_format = image.format
        if getattr(image, "n_frames", 1) > 1:
            image.seek(0)  # animated: the first frame
        # JPEG only. The box is square, so EXIF rotation applied later cannot shrink it below `largest`.
        image.draft(image.mode, (largest, largest))
        image.load()
        image.format = source_format
        return image, original_size
    except Rejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Rejected(TOO_MANY_PIXELS) from None
    except UnidentifiedImageError:
        raise Rejected("the file is not an image in a supported format") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise Rejected(f"the image is damaged or truncated ({error})") from None


def normalise(image: Image.Image) -> Image.Image:
    """Upright, and in a mode JPEG/PNG/WebP can store: RGB, RGBA, L or LA."""
    source_format = image.format
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")  # 16 -> 8 bit
    elif image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode == "PA":
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGB")  # CMYK, YCbCr, LAB, 1-bit, float...
    if image.mode in ("RGBA", "LA") and image.getextrema()[-1][0] == 255:
        image = image.convert(image.mode[:-1])  # an alpha channel that is fully opaque carries nothing
    image.format = source_format
    return image


def output_format(image: Image.Image, source_format: str) -> tuple[str, str, str]:
    """JPEG for opaque images; PNG (or WebP from WebP) for images with transparency."""
    if image.mode in ("RGBA", "LA"):
        if source_format == "WEBP":
            return "WEBP", "webp", "image/webp"
        return "PNG", "png", "image/png"
    return "JPEG", "jpg", "image/jpeg"


def encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=JPEG_QUALITY)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def metadata(upload: Upload, size_bytes: int) -> dict[str, Any]:
    return {
        "image_key": upload.key,
        "bucket": upload.bucket,
        "size_bytes": size_bytes,
        "created_at": upload.event_time,
    }


def iso_utc(event_time: str | None) -> str:
    """The event's time (not now: a retried event records the same item) in ISO 8601 UTC."""
    if not event_time:
        return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    parsed = datetime.fromisoformat(event_time.replace("Z", "+00:00"))
    return parsed.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
