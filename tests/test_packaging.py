"""`pip install .` gives a typed constructs_lib that depends only on aws-cdk-lib and constructs."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tests.helpers import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
         "--wheel-dir", str(out), str(ROOT)],
        check=True, capture_output=True,
    )
    (path,) = out.glob("constructs_lib-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_holds_the_typed_library_only(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert "constructs_lib/py.typed" in names
    assert "constructs_lib/function.py" in names
    # The handler ThumbnailPipeline owns ships with it, so the construct works after `pip install`.
    assert "constructs_lib/handlers/thumbnail/handler.py" in names
    assert "constructs_lib/handlers/thumbnail/requirements.txt" in names
    # So do the CodeDeploy hooks that Deployment(pre_traffic_hook=True, ...) uses.
    for hook in ("pre_traffic.py", "post_traffic.py", "report.py"):
        assert f"constructs_lib/handlers/deploy_hooks/{hook}" in names
    top_level = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top_level == {"constructs_lib"}


def test_runtime_dependencies_are_ranges_of_cdk_only(wheel: zipfile.ZipFile) -> None:
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [
        line.split(": ", 1)[1]
        for line in wheel.read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist: ") and "extra ==" not in line
    ]
    assert sorted(r.split(">")[0].split("<")[0].split("=")[0].strip() for r in requires) == [
        "aws-cdk-lib", "constructs",
    ]
    assert all("==" not in r and "<" in r and ">=" in r for r in requires), requires
