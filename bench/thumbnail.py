"""Thumbnail handler speed, memory and package size, measured side by side in one run.

For a 12-megapixel JPEG made 256 px: the handler's image work (decode, normalise, resize, encode; S3
stubbed out) next to (1) a bare Pillow draft-mode decode of the same bytes, the floor, and (2) a naive
full decode + resize. Then each case's peak memory (peak RSS of a fresh process), the zipped size of the
bundled arm64 package, and the Lambda cost per million images at 512 MB arm64 from the measured time.

Then, per format, the largest image a 512 MB function accepts (the handler's memory model, capped by
the 50-megapixel limit) and the peak RSS of a fresh process making its thumbnail, next to the 512 MB.

Usage: python bench/thumbnail.py [--rounds N] [--no-limits]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

# Not imported from constructs_lib: that would load aws-cdk-lib (and Node) into the measured processes.
HANDLER_ENTRY = ROOT / "constructs_lib" / "handlers" / "thumbnail"

SIZE = 256
FUNCTION_MEMORY_MB = 512  # ThumbnailPipeline's default
MAX_PIXELS = 50_000_000  # and its default pixel limit
ARM64_PRICE_PER_GB_SECOND = 0.0000133334  # us-east-1 list price
PRICE_PER_MILLION_REQUESTS = 0.20


def photo_jpeg() -> bytes:
    """A 4000 x 3000 JPEG with photo-like detail (gradients plus noise), about 12 megapixels."""
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    noise = Image.effect_noise((4000, 3000), 40)
    image = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def load_handler():
    os.environ.update(THUMBNAIL_BUCKET="bench", METADATA_TABLE="bench", THUMBNAIL_SIZES=str(SIZE),
                      AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
    spec = importlib.util.spec_from_file_location("thumbnail_handler", HANDLER_ENTRY / "handler.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)

    class NoS3:
        def put_object(self, **request):
            assert request["Body"]

    module.s3 = NoS3()
    return module


def case_handler(data: bytes) -> None:
    handler = CASE_STATE.setdefault("handler", load_handler())
    upload = handler.Upload(bucket="src", key="photo.jpg", version_id=None, event_time="2026-01-01T00:00:00Z")
    handler.make_thumbnails(upload, data)


def case_floor(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (SIZE, SIZE))
    image.load()


def case_naive(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    image.load()
    image.thumbnail((SIZE, SIZE), Image.Resampling.LANCZOS, reducing_gap=None)
    image.save(io.BytesIO(), "JPEG", quality=85)


CASES = {"handler": case_handler, "floor (draft decode)": case_floor, "naive (full decode)": case_naive}
CASE_STATE: dict = {}


def median_seconds(case, data: bytes, rounds: int) -> float:
    case(data)  # warm-up: imports, first-call set-up
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        case(data)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_rss_mb(name: str, image_path: Path) -> float:
    """Peak RSS of a fresh process that runs one case once (imports included, as in Lambda)."""
    out = subprocess.run([sys.executable, __file__, "--peak", name, str(image_path)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["peak_mb"]


def bundle_zip_mb() -> float:
    from constructs_lib.function import bundling

    with tempfile.TemporaryDirectory() as tmp:
        local = bundling.PipLocalBundling(HANDLER_ENTRY, "aarch64", "3.14", "bench")
        out = Path(tmp) / "bundle"
        out.mkdir()
        local.try_bundle(str(out))
        archive = Path(tmp) / "bundle.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(out.rglob("*")):
                if path.is_file():
                    z.write(path, path.relative_to(out).as_posix())
        return archive.stat().st_size / 1024 / 1024


def limit_image(kind: str, side: int) -> Image.Image:
    """A side x side image of the kind, with detail (gradients and noise), as photos and drawings have."""
    gradient = Image.linear_gradient("L").resize((side, side))
    noise = Image.effect_noise((side, side), 30)
    bands = [gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    if kind.endswith("RGBA"):
        return Image.merge("RGBA", [*bands, gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM)])
    image = Image.merge("RGB", bands)
    return image.convert("P", palette=Image.Palette.ADAPTIVE) if kind == "GIF" else image


LIMIT_KINDS = {  # what the table shows -> Pillow format, extension and options
    "JPEG": ("JPEG", "jpg", {"quality": 90}), "PNG RGB": ("PNG", "png", {"compress_level": 1}),
    "PNG RGBA": ("PNG", "png", {"compress_level": 1}), "WebP RGB": ("WEBP", "webp", {"method": 0}),
    "WebP RGBA": ("WEBP", "webp", {"method": 0}), "GIF": ("GIF", "gif", {}),
}


def largest_accepted_side(handler, kind: str, data_bytes_per_pixel: float) -> int:
    """The side of the largest square image of this kind the handler accepts at FUNCTION_MEMORY_MB."""
    fmt = LIMIT_KINDS[kind][0]
    mode = "RGBA" if kind.endswith("RGBA") else ("P" if fmt == "GIF" else "RGB")
    low, high = 16, int(MAX_PIXELS ** 0.5)
    while low < high:
        side = (low + high + 1) // 2
        decoded = side // 8 if fmt == "JPEG" and side // 8 >= SIZE else side  # JPEG: draft scale 1/8
        needed = handler.memory_needed_mb(decoded, decoded, mode, "RGB" if mode == "P" else mode, fmt,
                                          int(side * side * data_bytes_per_pixel), SIZE)
        low, high = (side, high) if needed <= FUNCTION_MEMORY_MB else (low, side - 1)
    return low


def print_limits(tmp: Path) -> None:
    handler = CASE_STATE.setdefault("handler", load_handler())
    print(f"Largest image a {FUNCTION_MEMORY_MB} MB function accepts, per format ({SIZE} px thumbnail), "
          "and the peak RSS of a fresh process making it")
    for kind, (fmt, extension, options) in LIMIT_KINDS.items():
        path = tmp / f"limit.{extension}"
        side, bytes_per_pixel = largest_accepted_side(handler, kind, 0.0), 0.0
        for _ in range(3):  # the file's size counts too: settle the side with the measured bytes per pixel
            limit_image(kind, side).save(path, fmt, **options)
            bytes_per_pixel = path.stat().st_size / side / side
            settled = largest_accepted_side(handler, kind, bytes_per_pixel)
            if settled >= side:
                break
            side = settled
        out = subprocess.run([sys.executable, "-m", "tests.memory_probe", str(path), str(SIZE),
                              str(FUNCTION_MEMORY_MB)], cwd=ROOT, check=True, capture_output=True, text=True)
        probe = json.loads(out.stdout)
        peak = probe["runtime_mb"] + probe["used_mb"]
        print(f"  {kind:<10} {side * side / 1e6:5.1f} MP ({side}x{side}, {path.stat().st_size / 2**20:5.1f} MB file):"
              f" model {probe['model_mb'] + handler.RUNTIME_MB:4d} MB, peak RSS {peak:6.1f} MB"
              f" of {FUNCTION_MEMORY_MB} MB ({probe['outcome']})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-limits", action="store_true", help="skip the per-format memory limits (slow)")
    parser.add_argument("--peak", nargs=2, metavar=("CASE", "IMAGE"))
    args = parser.parse_args()
    if args.peak:
        name, path = args.peak
        CASES[name](Path(path).read_bytes())
        # VmHWM, not ru_maxrss: a child's ru_maxrss starts at its parent's peak at fork time.
        status = Path("/proc/self/status").read_text()
        peak_kb = int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])
        print(json.dumps({"peak_mb": peak_kb / 1024}))
        return

    data = photo_jpeg()
    with tempfile.NamedTemporaryFile(suffix=".jpg") as image_file:
        image_file.write(data)
        image_file.flush()
        seconds = {name: median_seconds(case, data, args.rounds) for name, case in CASES.items()}
        peaks = {name: peak_rss_mb(name, Path(image_file.name)) for name in CASES}
    floor = seconds["floor (draft decode)"]
    print(f"12 MP JPEG ({len(data) / 1024 / 1024:.1f} MB) -> {SIZE} px, median of {args.rounds} rounds")
    for name in CASES:
        print(f"  {name:<22} {seconds[name] * 1000:8.1f} ms  {seconds[name] / floor:5.2f}x floor"
              f"  peak RSS {peaks[name]:6.1f} MB")
    print(f"  bundled package (arm64, zipped): {bundle_zip_mb():.2f} MB")
    gb_seconds = 0.5 * seconds["handler"] * 1_000_000  # 512 MB; billed per 1 ms
    cost = gb_seconds * ARM64_PRICE_PER_GB_SECOND + PRICE_PER_MILLION_REQUESTS
    print(f"  Lambda cost per million images at 512 MB arm64 (this machine's time, no free tier): ${cost:.2f}")
    if not args.no_limits:
        with tempfile.TemporaryDirectory() as tmp:
            print_limits(Path(tmp))


if __name__ == "__main__":
    main()
