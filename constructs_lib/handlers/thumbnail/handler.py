"""Makes thumbnails of images uploaded to S3 and records each image's metadata in DynamoDB.

Permanent problems with an upload (not an image, empty, truncated, too many pixels, more memory than the
function has, deleted before it was read) are recorded as `rejected` and the invocation succeeds; S3 and
DynamoDB errors raise, so Lambda retries the event and, after the retries, sends it to the on-failure
destination.

Through a queue (ThumbnailPipeline(via="queue")), the function gets SQS batches whose bodies are the S3
events: each message is processed on its own, and a message whose upload failed for a transient reason, or
whose body is not an S3 event, is reported in `batchItemFailures`: SQS delivers it again and, after the
queue's receives, keeps it in the dead-letter queue. S3's test event is skipped.

Memory: an image is decoded once (JPEGs at the smallest scale that covers the largest thumbnail), shrunk
in place, and only the small result is converted and rotated. Before decoding, the memory that decoding
will take is estimated from the image's size, mode and format; an image that would not fit in the
function's memory is rejected with the memory that would do, instead of crashing the function.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError
from PIL import ExifTags, Image, UnidentifiedImageError

if TYPE_CHECKING:  # the stubs are a development dependency, not in Lambda
    from mypy_boto3_s3.type_defs import GetObjectRequestTypeDef

BandExtrema = tuple[tuple[float, float], ...]  # getextrema() of an image of several bands

logger = Logger(service="thumbnail")

THUMBNAIL_BUCKET = os.environ["THUMBNAIL_BUCKET"]
SIZES = sorted({int(s) for s in os.environ.get("THUMBNAIL_SIZES", "256").split(",")}, reverse=True)
SOURCE_PREFIX = os.environ.get("SOURCE_PREFIX", "")
MAX_PIXELS = int(os.environ.get("MAX_PIXELS", str(50_000_000)))
# Set by Lambda to the function's memory_size.
MEMORY_MB = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"))
JPEG_QUALITY = 85

# The memory model, measured by bench/thumbnail.py (peak RSS per format at the limit) and rounded up.
RUNTIME_MB = 100  # Python, boto3, Pillow and Powertools before any image: about 60 MB measured
# Pillow keeps every pixel in 4 bytes (RGB as RGBX, LA as L..A), except these modes.
NARROW_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}
# What a decoder holds per pixel besides the image: WebP decodes into a canvas, then copies it twice.
DECODER_BYTES = {"WEBP": 12}
DEFAULT_DECODER_BYTES = 1
# The thumbnails: each one, its copy for the next size and its encoding, at 4 bytes a pixel; plus buffers.
THUMBNAIL_BYTES_PER_PIXEL = 12
ENCODER_MB = 8
SAFETY = 1.2  # allocator slack and fragmentation
# EXIF orientation -> the transposition that makes the image upright (EXIF 2.3, tag 0x0112).
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# Pillow refuses (rather than warns about) anything over our own limit: decompression bombs.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)

s3 = boto3.client("s3")  # pyright: ignore[reportUnknownMemberType]: overloads of services without stubs
table = boto3.resource("dynamodb").Table(os.environ["METADATA_TABLE"])  # pyright: ignore[reportUnknownMemberType]


class Rejected(Exception):
    """The upload can never be made into thumbnails; the message says why, for a person."""


@dataclass(frozen=True)
class Upload:
    bucket: str
    key: str
    version_id: str | None
    event_time: str


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records", [])
    if records and records[0].get("eventSource") == "aws:sqs":
        return handle_messages(records)
    counts = {"done": 0, "rejected": 0, "ignored": 0}
    for record in records:
        counts[handle_record(record)] += 1
    logger.info("batch processed", extra=counts)
    return counts


def handle_messages(messages: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    """An SQS batch: every message on its own; the failed ones reported for SQS to deliver again."""
    from s3_records import records_of  # the pipeline's layer, present in queue mode

    failed: list[dict[str, str]] = []
    for message in messages:
        try:
            for _, record in records_of(message):
                handle_record(record)
        except Exception as error:  # noqa: BLE001 - any failure: this message is retried, the others are not
            logger.exception("message failed", extra={"message_id": message.get("messageId"), "error": str(error)})
            failed.append({"itemIdentifier": message["messageId"]})
    return {"batchItemFailures": failed}


def handle_record(record: dict[str, Any]) -> str:
    upload = upload_of(record)
    if is_own_output(upload):
        logger.info("ignored: written by this pipeline", extra={"bucket": upload.bucket, "key": upload.key})
        return "ignored"
    return process(upload)


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
    request: GetObjectRequestTypeDef = {"Bucket": upload.bucket, "Key": upload.key}
    if upload.version_id:
        request["VersionId"] = upload.version_id  # the version this event is about, however often retried
    try:
        body = s3.get_object(**request)["Body"].read()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "NoSuchVersion", "404"):
            raise Rejected("the object was deleted before it could be read") from error
        raise  # transient or permission problem: let Lambda retry
    if not body:
        raise Rejected("the file is empty")
    return body


def make_thumbnails(upload: Upload, data: bytes) -> dict[str, Any]:
    image, (width, height) = decode(data, largest=SIZES[0])
    source_format = image.format or "unknown"
    fmt, extension, content_type = output_format(image, source_format)
    stem = str(PurePosixPath(upload.key).with_suffix(""))
    thumbnails: list[dict[str, Any]] = []
    current = image
    for size in SIZES:  # largest first (made by decode): each smaller one is derived from the previous
        if size != SIZES[0]:
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
    """The largest thumbnail, upright and in a mode JPEG/PNG/WebP can store, and the original size.

    The full-size pixels exist once, briefly: JPEGs are decoded at the smallest scale (1/2, 1/4, 1/8)
    that still covers `largest`, every image is shrunk in place, and what follows works on the result.
    """
    try:
        image = Image.open(io.BytesIO(data))
        original_size = image.size
        if original_size[0] * original_size[1] > MAX_PIXELS:
            raise Rejected(TOO_MANY_PIXELS)
        source_format = image.format
        if getattr(image, "n_frames", 1) > 1:
            image.seek(0)  # animated: the first frame
        # JPEG only. The box is square, so the EXIF rotation applied later cannot shrink it below `largest`.
        image.draft(image.mode, (largest, largest))
        check_memory(image, len(data), largest)
        image.load()
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        image = resizable(image)
        image.thumbnail((largest, largest), Image.Resampling.LANCZOS)
        image = storable(image)
        if orientation in UPRIGHT:
            image = image.transpose(UPRIGHT[orientation])
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


def memory_needed_mb(
    width: int, height: int, mode: str, resized_mode: str, image_format: str, data_bytes: int, largest: int
) -> int:
    """Peak memory of the function while it makes the thumbnails of an image: the decoded pixels, the
    decoder's own buffers, the full-size conversion to `resized_mode` when there is one, the premultiplied
    copy Pillow shrinks images with alpha through, the thumbnails (`largest` pixels on a side at most),
    the upload's bytes and the runtime."""
    per_pixel = _pixel_bytes(mode) + DECODER_BYTES.get(image_format, DEFAULT_DECODER_BYTES)
    if resized_mode != mode:
        per_pixel += _pixel_bytes(resized_mode)
    if resized_mode in ("RGBA", "LA"):
        per_pixel += 4
    thumbnails = min(width * height, largest * largest) * THUMBNAIL_BYTES_PER_PIXEL
    working = width * height * per_pixel + thumbnails + data_bytes
    return RUNTIME_MB + ENCODER_MB + math.ceil(working * SAFETY / 2**20)


def _pixel_bytes(mode: str) -> int:
    return NARROW_PIXEL_BYTES.get(mode, 4)


def check_memory(image: Image.Image, data_bytes: int, largest: int) -> None:
    """Rejects, before decoding, an image whose thumbnails would not fit in the function's memory."""
    needed = memory_needed_mb(
        image.width, image.height, image.mode, resized_mode(image), image.format or "", data_bytes, largest
    )
    if needed > MEMORY_MB:
        suggested = min(10240, math.ceil(needed / 64) * 64)
        raise Rejected(
            f"decoding this {image.width}x{image.height} {image.mode} {image.format} image needs about "
            f"{needed} MB, more than the function's {MEMORY_MB} MB; a memory_size of {suggested} MB would do"
        )


def resized_mode(image: Image.Image) -> str:
    """The mode an image is shrunk in: palettes, 1-bit and 16-bit images, which Pillow cannot resample
    well, are converted first."""
    if image.mode in ("P", "PA"):
        return "RGBA" if image.mode == "PA" or "transparency" in image.info else "RGB"
    if image.mode == "1" or image.mode.startswith("I;16"):
        return "L"
    return image.mode


def resizable(image: Image.Image) -> Image.Image:
    mode = resized_mode(image)
    if mode == image.mode:
        return image
    if image.mode.startswith("I;16"):
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")  # 16 -> 8 bit
    return image.convert(mode)


def storable(image: Image.Image) -> Image.Image:
    """RGB, RGBA, L or LA: what JPEG, PNG and WebP store. Works on the shrunk image."""
    if image.mode == "I":
        image = image.point(lambda value: value * (1 / 256)).convert("L")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("L" if image.mode == "F" else "RGB")  # CMYK, YCbCr, LAB, HSV, float...
    if image.mode in ("RGBA", "LA") and cast(BandExtrema, image.getextrema())[-1][0] == 255:
        image = image.convert(image.mode[:-1])  # an alpha channel that is fully opaque carries nothing
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
