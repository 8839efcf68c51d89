"""Runs the thumbnail handler's image work on one file in this (fresh) process and prints, as JSON, what
the handler's memory model says it needs and what it really took: the growth of peak RSS (VmHWM) over
the process's size before the upload was read, in MB.

Usage: python -m tests.memory_probe IMAGE SIZES MEMORY_MB
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

HANDLER = Path(__file__).resolve().parent.parent / "constructs_lib" / "handlers" / "thumbnail" / "handler.py"


def vm(field: str) -> float:
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith(field))
    return int(line.split()[1]) / 1024


def main(image: str, sizes: str, memory_mb: str) -> None:
    os.environ.update(
        THUMBNAIL_BUCKET="thumbnails", METADATA_TABLE="metadata", THUMBNAIL_SIZES=sizes,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE=memory_mb, AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
    )
    spec = importlib.util.spec_from_file_location("thumbnail_handler", HANDLER)
    handler = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = handler  # dataclasses look their module up
    spec.loader.exec_module(handler)

    class NoS3:
        def put_object(self, **request: object) -> None:
            assert request["Body"]

    handler.s3 = NoS3()
    from PIL import Image

    before = vm("VmRSS:")
    data = Path(image).read_bytes()
    largest = max(int(size) for size in sizes.split(","))
    with Image.open(image) as opened:
        opened.draft(opened.mode, (largest, largest))
        needed = handler.memory_needed_mb(
            opened.width, opened.height, opened.mode, handler.resized_mode(opened), opened.format, len(data), largest)
    upload = handler.Upload(bucket="uploads", key=Path(image).name, version_id=None, event_time=None)
    try:
        handler.make_thumbnails(upload, data)
        outcome = "done"
    except handler.Rejected as reason:
        outcome = f"rejected: {reason}"
    print(json.dumps({"model_mb": needed - handler.RUNTIME_MB, "used_mb": vm("VmHWM:") - before,
                      "runtime_mb": before, "outcome": outcome}))


if __name__ == "__main__":
    main(*sys.argv[1:])
