"""A starter app names constructs_lib as it was installed, so that its own `make` installs it again: a version
from an index, else the wheel or folder pip recorded (PEP 610's direct_url.json), `-e` for an editable
install. Made from the built wheel, from a checkout folder and from an editable install, each starter passes
its own `make synth` (every gate 0) and `make test`, and runs its worker locally; `make upgrade` moves its pin."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import constructs_lib
from constructs_lib.cli.origin import OriginError, names_us, requirement_of
from tests.starters import Starters, checkout_copy, light_venv

VERSION = constructs_lib.__version__
ALL_CLEAN = "findings: cfn-lint 0, cfn-lint-serverless 0, cdk-nag 0, checkov 0, cfn-guard 0, DeployRules 0"


def test_an_index_install_is_named_by_its_version() -> None:
    assert requirement_of("1.4.2", None) == "constructs_lib[gates]==1.4.2"


def test_a_wheel_or_folder_is_named_by_its_recorded_url(tmp_path: Path) -> None:
    wheel = tmp_path / "constructs_lib-1.4.2-py3-none-any.whl"
    wheel.write_bytes(b"")
    archive = {"url": wheel.as_uri(), "archive_info": {"hashes": {"sha256": "0"}}}
    assert requirement_of("1.4.2", archive) == f"constructs_lib[gates] @ {wheel.as_uri()}"
    assert requirement_of("1.4.2", {"url": tmp_path.as_uri(), "dir_info": {}}) == \
        f"constructs_lib[gates] @ {tmp_path.as_uri()}"
    assert requirement_of("1.4.2", {"url": tmp_path.as_uri(), "dir_info": {"editable": True}}) == \
        f"-e {tmp_path}[gates]"
    vcs = {"url": "https://example.com/constructs_lib.git", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}
    assert requirement_of("1.4.2", vcs) == "constructs_lib[gates] @ git+https://example.com/constructs_lib.git@abc123"


def test_a_wheel_that_is_gone_is_refused_not_pinned(tmp_path: Path) -> None:
    gone = {"url": (tmp_path / "constructs_lib-1.4.2-py3-none-any.whl").as_uri(), "archive_info": {}}
    with pytest.raises(OriginError, match="no longer exists: reinstall it, or give the requirement"):
        requirement_of("1.4.2", gone)


def test_the_line_of_the_library_is_found_in_a_requirements_file() -> None:
    assert [names_us(line) for line in ("constructs_lib[gates]==1.0.0", "constructs-lib @ file:///x",
                                        "-e /src/constructs_lib[gates]", "constructs_libx==1", "cdk-nag>=3")] == \
        [True, True, True, False, False]


def requirement(python: Path, cwd: Path) -> str:
    return subprocess.run([str(python), "-m", "constructs_lib", "requirement"], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout.strip()


def test_an_install_from_an_index_pins_its_version_and_make_upgrade_moves_it(dist: Path, tmp_path: Path) -> None:
    """A folder of wheels stands for the index; `upgrade` takes its newest version, then rewrites the pin."""
    index = tmp_path / "index"
    index.mkdir()
    shutil.copy(next(dist.glob("*.whl")), index)
    offline = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(index), "PIP_NO_DEPS": "1"}
    python = light_venv(tmp_path / "venv", "constructs_lib", env=offline)
    assert requirement(python, tmp_path) == f"constructs_lib[gates]=={VERSION}"
    newer = "99.0.0"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(index),
                    str(checkout_copy(tmp_path / "newer", newer))], check=True, capture_output=True)
    app = tmp_path / "app"
    app.mkdir()
    (app / "requirements.txt").write_text(f"constructs_lib[gates]=={VERSION}\n")
    upgraded = subprocess.run([str(python), "-m", "constructs_lib", "upgrade"], cwd=app, env=offline,
                              capture_output=True, text=True)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (app / "requirements.txt").read_text() == f"constructs_lib[gates]=={newer}\n"
    assert f"=={VERSION} -> constructs_lib[gates]=={newer}" in upgraded.stdout


def test_starters_from_the_wheel_a_folder_and_an_editable_install_pass_their_make_synth_and_test(
        starters: Starters) -> None:
    """(They run beside the rest of the suite from its start: tests/starters.py. `make test` makes the one from
    the built wheel; `make test-installs` all three.)"""
    sources, results = starters
    lines = {kind: line for kind, line, _ in results}
    expected = {kind: f"-e {source}[gates]" if kind == "editable" else f"constructs_lib[gates] @ {source.as_uri()}"
                for kind, source in sources.items()}
    assert lines == expected
    for kind, _, (synth, test, local) in results:
        assert synth.startswith("exit 0") and ALL_CLEAN in synth, f"{kind}: {synth}"
        assert test.startswith("exit 0") and "2 passed" in test, f"{kind}: {test}"
        # The app's worker runs locally on a sample SQS batch of its queue.
        assert local.startswith("exit 0") and '{"batchItemFailures": []}' in local, f"{kind}: {local}"


def test_a_checkout_with_a_builds_leftover_metadata_is_named_as_the_checkout(tmp_path: Path) -> None:
    """A build leaves constructs_lib.egg-info in the checkout: no installation, so not a version of an index."""
    checkout = checkout_copy(tmp_path / "checkout")
    (checkout / "constructs_lib.egg-info").mkdir()
    (checkout / "constructs_lib.egg-info" / "PKG-INFO").write_text(f"Name: constructs_lib\nVersion: {VERSION}\n")
    assert requirement(Path(sys.executable), checkout) == f"constructs_lib[gates] @ {checkout.as_uri()}"


def test_an_editable_starter_shows_pyright_its_checkout(tmp_path: Path) -> None:
    """An editable install imports through an import hook pyright does not follow (its strict check then finds
    no constructs_lib): the starter names the checkout on pyright's search path."""
    from constructs_lib.cli.starter import create

    checkout = tmp_path / "checkout"
    create(tmp_path / "app", f"-e {checkout}[gates]")
    config = json.loads((tmp_path / "app" / "pyrightconfig.json").read_text())
    assert all(str(checkout) in env["extraPaths"] for env in [config, *config["executionEnvironments"]])
    create(tmp_path / "plain", "constructs_lib[gates]==1.0.0")
    assert "extraPaths" not in json.loads((tmp_path / "plain" / "pyrightconfig.json").read_text())
