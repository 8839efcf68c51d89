"""What a shared layer saves: LayerDemo's scientific layer (scipy + numpy) for arm64 / Python 3.14, and each
function's own package with those packages in it (no layer) next to its package with the layer, measured in
one run (bundled as `make synth` bundles them, from the same cache; zipped as CDK zips assets).

Usage: python bench/layers.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from constructs_lib.function.bundling import LayerBundling, PipLocalBundling, folder_size  # noqa: E402

HANDLERS = ROOT / "lambda_src"
REQUIREMENTS = HANDLERS / "scientific_layer" / "requirements.txt"
FUNCTIONS = ("stats_describe", "stats_percentiles")
MB = 1024 * 1024


def sizes(folder: Path, work: Path) -> tuple[float, float]:
    """(unzipped MB, zipped MB) of a folder."""
    archive = shutil.make_archive(str(work / folder.name), "zip", folder)
    return folder_size(folder) / MB, Path(archive).stat().st_size / MB


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        layer_dir = work / "layer"
        LayerBundling(REQUIREMENTS, "aarch64", "3.14", "bench/Scientific").try_bundle(str(layer_dir))
        layer_unzipped, layer_zipped = sizes(layer_dir, work)
        print(f"Scientific layer ({', '.join(REQUIREMENTS.read_text().split())}; arm64, Python 3.14)")
        print(f"  {'unzipped':<10} {layer_unzipped:8.1f} MB")
        print(f"  {'zipped':<10} {layer_zipped:8.1f} MB")
        print("Each function's own package: with the packages in it -> with the layer")
        for name in FUNCTIONS:
            entry = work / name
            shutil.copytree(HANDLERS / name, entry, ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copy(REQUIREMENTS, entry / "requirements.txt")
            bundled = work / f"{name}-bundled"
            PipLocalBundling(entry, "aarch64", "3.14", f"bench/{name}").try_bundle(str(bundled))
            alone = work / f"{name}-alone"
            shutil.copytree(HANDLERS / name, alone, ignore=shutil.ignore_patterns("__pycache__"))
            (fat_unzipped, fat_zipped), (thin_unzipped, thin_zipped) = sizes(bundled, work), sizes(alone, work)
            print(f"  {name:<18} zipped {fat_zipped:5.1f} MB -> {thin_zipped * 1024:4.1f} KB, "
                  f"unzipped {fat_unzipped:5.1f} MB -> {thin_unzipped * 1024:4.1f} KB")


if __name__ == "__main__":
    main()
