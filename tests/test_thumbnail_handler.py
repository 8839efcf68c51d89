"""The thumbnail handler against moto's server (a real HTTP S3 and DynamoDB), with images made here."""

from __future__ import annotations

import io
import json
import struct
import zlib
from urllib.parse import quote_plus

import boto3
import pytest
from botocore.exceptions import ClientError
from PIL import Image

from constructs_lib.function.records_layer import SOURCE as RECORDS_LAYER_SOURCE
from constructs_lib.patterns.thumbnail_pipeline import HANDLER_ENTRY
from tests.handlers import load_handler, moto_aws, on_demand_table

SOURCE, THUMBS, TABLE = "uploads", "thumbnails", "metadata"
RECORDS_LAYER = RECORDS_LAYER_SOURCE / "python"


@pytest.fixture(scope="module")
def aws():
    with moto_aws(
        THUMBNAIL_BUCKET=THUMBS, METADATA_TABLE=TABLE, THUMBNAIL_SIZES="64,256", MAX_PIXELS=str(40_000_000)
    ):
        s3 = boto3.client("s3")
        for bucket in (SOURCE, THUMBS):
            s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=SOURCE, VersioningConfiguration={"Status": "Enabled"})
        on_demand_table(TABLE, "image_key")
        module = load_handler(HANDLER_ENTRY / "handler.py", "thumbnail_handler")
        yield module, s3, boto3.resource("dynamodb").Table(TABLE)


def upload(aws, key: str, data: bytes, bucket: str = SOURCE) -> dict:
    """Puts the object and returns the S3 event that S3 would send for it."""
    _, s3, _ = aws
    version = s3.put_object(Bucket=bucket, Key=key, Body=data).get("VersionId")
    obj = {"key": quote_plus(key), "size": len(data)}
    if version:
        obj["versionId"] = version
    return {"Records": [{
        "eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "eventTime": "2026-11-24T10:00:00.123Z",
        "s3": {"bucket": {"name": bucket}, "object": obj},
    }]}


def image_bytes(fmt: str, size=(800, 600), mode="RGB", **save) -> bytes:
    color = {"RGB": (200, 30, 30), "RGBA": (0, 0, 255, 128), "CMYK": (0, 255, 255, 0), "L": 128,
             "I;16": 40000, "P": 3, "LA": (100, 50)}[mode]
    image = Image.new(mode, size, color)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def run(aws, key: str, data: bytes) -> dict:
    handler, _, table = aws
    handler.handler(upload(aws, key, data), None)
    return table.get_item(Key={"image_key": key})["Item"]


def thumbnail(aws, key: str) -> Image.Image:
    _, s3, _ = aws
    return Image.open(io.BytesIO(s3.get_object(Bucket=THUMBS, Key=key)["Body"].read()))


@pytest.mark.parametrize(
    ("fmt", "mode", "source_format"),
    [("JPEG", "RGB", "JPEG"), ("PNG", "RGB", "PNG"), ("GIF", "P", "GIF"), ("WEBP", "RGB", "WEBP"),
     ("TIFF", "RGB", "TIFF")],
)
def test_every_format_gets_every_size(aws, fmt, mode, source_format) -> None:
    key = f"photos/cat.{fmt.lower()}"
    item = run(aws, key, image_bytes(fmt, mode=mode))
    assert item["status"] == "done"
    assert (item["width"], item["height"], item["format"]) == (800, 600, source_format)
    assert item["bucket"] == SOURCE and item["created_at"] == "2026-11-24T10:00:00.123Z"
    assert [t["size"] for t in item["thumbnails"]] == [256, 64]
    for entry in item["thumbnails"]:
        assert entry["key"].startswith(f"{int(entry['size'])}/photos/cat.")
        image = thumbnail(aws, entry["key"])
        assert image.size == (int(entry["width"]), int(entry["height"]))
        assert max(image.size) == entry["size"] and image.size[0] * 3 == image.size[1] * 4  # 4:3 kept


def test_small_images_are_never_upscaled(aws) -> None:
    item = run(aws, "tiny.png", image_bytes("PNG", size=(40, 20)))
    assert [(t["width"], t["height"]) for t in item["thumbnails"]] == [(40, 20), (40, 20)]


def test_exif_orientation_is_applied(aws) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise for display
    item = run(aws, "rotated.jpg", image_bytes("JPEG", size=(800, 400), exif=exif.tobytes()))
    assert (item["thumbnails"][0]["width"], item["thumbnails"][0]["height"]) == (128, 256)


def test_transparency_is_kept_as_png_or_webp(aws) -> None:
    png = run(aws, "alpha.png", image_bytes("PNG", mode="RGBA"))
    assert png["thumbnails"][0]["key"] == "256/alpha.png"
    assert thumbnail(aws, "256/alpha.png").mode == "RGBA"
    webp = run(aws, "alpha.webp", image_bytes("WEBP", mode="RGBA", lossless=True))
    assert webp["thumbnails"][0]["key"] == "256/alpha.webp"
    assert thumbnail(aws, "256/alpha.webp").mode == "RGBA"


def test_cmyk_16_bit_and_palette_are_converted(aws) -> None:
    assert thumbnail(aws, run(aws, "cmyk.jpg", image_bytes("JPEG", mode="CMYK"))["thumbnails"][0]["key"]).mode == "RGB"
    grey = thumbnail(aws, run(aws, "deep.png", image_bytes("PNG", mode="I;16"))["thumbnails"][0]["key"])
    assert grey.mode == "L" and grey.getpixel((0, 0)) == 40000 // 256
    assert thumbnail(aws, run(aws, "pal.gif", image_bytes("GIF", mode="P"))["thumbnails"][0]["key"]).mode == "RGB"


def test_animated_gif_uses_the_first_frame(aws) -> None:
    frames = [Image.new("RGB", (300, 300), c) for c in ((255, 0, 0), (0, 255, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    item = run(aws, "anim.gif", buffer.getvalue())
    red, green, _ = thumbnail(aws, item["thumbnails"][0]["key"]).getpixel((10, 10))
    assert red > 200 and green < 50


def test_url_encoded_keys_are_decoded(aws) -> None:
    key = "my photos/été 2026+.jpg"
    item = run(aws, key, image_bytes("JPEG"))
    assert item["status"] == "done" and item["thumbnails"][0]["key"] == "256/my photos/été 2026+.jpg"


def bomb_png(width: int, height: int) -> bytes:
    """A valid PNG header claiming huge dimensions: what a decompression bomb looks like before decoding."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("key", "data", "reason"),
    [
        ("notes.jpg", b"this is not an image at all", "not an image"),
        ("empty.jpg", b"", "empty"),
        ("cut.jpg", image_bytes("JPEG", size=(1200, 900))[:3000], "damaged or truncated"),
        ("bomb.png", bomb_png(20_000, 20_000), "more pixels than the 40000000 allowed"),
    ],
)
def test_bad_uploads_are_recorded_as_rejected(aws, key, data, reason) -> None:
    item = run(aws, key, data)
    assert item["status"] == "rejected"
    assert reason in item["error"]
    assert item["size_bytes"] == len(data)
    assert "thumbnails" not in item


def test_an_image_too_large_for_the_functions_memory_is_recorded_as_rejected(aws, monkeypatch) -> None:
    """Lambda would stop a function that runs out of memory, retry it and give up: the image is rejected
    first, with the memory that would do, and the invocation succeeds."""
    handler, _, _ = aws
    monkeypatch.setattr(handler, "MEMORY_MB", 128)
    item = run(aws, "huge.png", image_bytes("PNG", size=(3000, 3000), mode="RGBA"))
    assert item["status"] == "rejected"
    assert item["error"].startswith("decoding this 3000x3000 RGBA PNG image needs about ")
    needed = int(item["error"].split("needs about ")[1].split(" MB")[0])
    assert needed > 128 and f"a memory_size of {-(-needed // 64) * 64} MB would do" in item["error"]
    monkeypatch.setattr(handler, "MEMORY_MB", 512)
    assert run(aws, "huge.png", image_bytes("PNG", size=(3000, 3000), mode="RGBA"))["status"] == "done"


def test_deleted_before_read_is_rejected(aws) -> None:
    handler, s3, table = aws
    event = upload(aws, "gone.jpg", image_bytes("JPEG"))
    s3.delete_object(Bucket=SOURCE, Key="gone.jpg", VersionId=event["Records"][0]["s3"]["object"]["versionId"])
    handler.handler(event, None)
    assert "deleted" in table.get_item(Key={"image_key": "gone.jpg"})["Item"]["error"]


def test_same_event_twice_gives_the_same_result(aws) -> None:
    handler, s3, table = aws
    event = upload(aws, "twice.jpg", image_bytes("JPEG"))
    handler.handler(event, None)
    first = (table.get_item(Key={"image_key": "twice.jpg"})["Item"], s3.get_object(Bucket=THUMBS, Key="256/twice.jpg")["Body"].read())
    s3.put_object(Bucket=SOURCE, Key="twice.jpg", Body=image_bytes("PNG"))  # a newer version exists now
    handler.handler(event, None)  # the retried event still reads the version it is about
    second = (table.get_item(Key={"image_key": "twice.jpg"})["Item"], s3.get_object(Bucket=THUMBS, Key="256/twice.jpg")["Body"].read())
    assert first == second


def test_events_from_the_thumbnail_bucket_are_ignored(aws) -> None:
    handler, _, table = aws
    counts = handler.handler(upload(aws, "256/cat.jpg", image_bytes("JPEG"), bucket=THUMBS), None)
    assert counts == {"done": 0, "rejected": 0, "ignored": 1}
    assert "Item" not in table.get_item(Key={"image_key": "256/cat.jpg"})


def test_transient_failures_raise_for_a_retry(aws, monkeypatch) -> None:
    handler, _, table = aws
    event = upload(aws, "retry.jpg", image_bytes("JPEG"))
    monkeypatch.setattr(handler, "THUMBNAIL_BUCKET", "no-such-bucket")  # S3 answers NoSuchBucket
    with pytest.raises(ClientError):
        handler.handler(event, None)
    assert "Item" not in table.get_item(Key={"image_key": "retry.jpg"}), "nothing recorded: Lambda retries"


# --- through a queue (ThumbnailPipeline(via="queue")): SQS batches whose bodies are the S3 events -------------


def sqs_message(message_id: str, body: str) -> dict:
    """A message as Lambda's SQS poller delivers it (AWS Lambda developer guide, "Using Lambda with Amazon SQS")."""
    return {"messageId": message_id, "receiptHandle": f"handle-{message_id}", "body": body, "attributes": {},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:111122223333:uploads", "awsRegion": "us-east-1"}


@pytest.fixture
def layer_on_path(monkeypatch):
    """The pipeline's records layer, as Lambda adds /opt/python to the path."""
    monkeypatch.syspath_prepend(str(RECORDS_LAYER))


def test_through_a_queue_each_message_counts_on_its_own(aws, layer_on_path) -> None:
    handler, _, table = aws
    good = json.dumps(upload(aws, "queued/dog.png", image_bytes("PNG")))
    junk = json.dumps(upload(aws, "queued/notes.png", b"not an image"))
    test_event = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": SOURCE})
    response = handler.handler({"Records": [
        sqs_message("m-good", good), sqs_message("m-test", test_event), sqs_message("m-junk", junk),
        sqs_message("m-poison", "{not json"), sqs_message("m-other", json.dumps({"Records": [{"no": "s3"}]})),
    ]}, None)
    # The poison bodies are retried and end in the dead-letter queue; the rest is done.
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-poison"}, {"itemIdentifier": "m-other"}]}
    assert table.get_item(Key={"image_key": "queued/dog.png"})["Item"]["status"] == "done"
    assert table.get_item(Key={"image_key": "queued/notes.png"})["Item"]["status"] == "rejected"


def test_through_a_queue_a_transient_failure_is_retried(aws, layer_on_path) -> None:
    handler, _, _ = aws
    gone = {"Records": [{"eventSource": "aws:s3", "eventTime": "2026-11-24T10:00:00Z",
                         "s3": {"bucket": {"name": "no-such-bucket"}, "object": {"key": "x.png", "size": 1}}}]}
    response = handler.handler({"Records": [sqs_message("m-later", json.dumps(gone))]}, None)
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-later"}]}
