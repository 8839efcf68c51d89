"""The thumbnail handler stays within the memory its function is given: its memory model, which decides
what it rejects before decoding, is an upper bound of what decoding and shrinking really take.

Each case runs in a fresh process (tests/memory_probe.py) and compares the growth of its peak RSS with
the model, for every format and mode the handler treats differently. bench/thumbnail.py does the same at
the limit of a 512 MB function, with images of tens of megapixels.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import ROOT

SIDE = 2000  # 4 megapixels: large enough for the pixels to dominate, small enough to be quick


def photo(mode: str) -> Image.Image:
    gradient = Image.linear_gradient("L").resize((SIDE, SIDE))
    noise = Image.effect_noise((SIDE, SIDE), 30)
    flipped = gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if mode == "RGBA":
        return Image.merge("RGBA", (gradient, noise, flipped, gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM)))
    return Image.merge("RGB", (gradient, noise, flipped))


CASES = {
    "jpeg-rgb.jpg": lambda path: photo("RGB").save(path, "JPEG"),
    "png-rgb.png": lambda path: photo("RGB").save(path, "PNG", compress_level=1),
    "png-rgba.png": lambda path: photo("RGBA").save(path, "PNG", compress_level=1),
    "webp-rgb.webp": lambda path: photo("RGB").save(path, "WEBP", method=0),
    "webp-rgba.webp": lambda path: photo("RGBA").save(path, "WEBP", method=0),
    "gif-palette.gif": lambda path: photo("RGB").convert("P", palette=Image.Palette.ADAPTIVE).save(path, "GIF"),
    "gif-transparent.gif": lambda path: photo("RGB").convert("P", palette=Image.Palette.ADAPTIVE).save(
        path, "GIF", transparency=0),
}


def probe(image: Path, sizes: str, memory_mb: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.memory_probe", str(image), sizes, str(memory_mb)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_memory_model_bounds_what_decoding_takes(tmp_path: Path, name: str) -> None:
    image = tmp_path / name
    CASES[name](image)
    result = probe(image, "1024,256,128", 10240)
    assert result["outcome"] == "done"
    assert result["used_mb"] <= result["model_mb"], result
    assert result["model_mb"] <= 2.5 * result["used_mb"], f"the model rejects far too much: {result}"


def test_an_image_over_the_functions_memory_is_rejected_before_decoding(tmp_path: Path) -> None:
    image = tmp_path / "big.png"
    CASES["png-rgba.png"](image)
    result = probe(image, "1024,256", 128)
    assert result["outcome"].startswith(
        f"rejected: decoding this {SIDE}x{SIDE} RGBA PNG image needs about "), result
    assert "more than the function's 128 MB; a memory_size of " in result["outcome"]
    assert result["used_mb"] < 30, "rejected before the pixels were decoded"
