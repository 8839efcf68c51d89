"""A starter app names constructs_lib as it was installed, so that its own `make` installs it again: a version
from an index, else the wheel or folder pip recorded (PEP 610's direct_url.json), `-e` for an editable
install. Made from the built wheel, from a checkout folder and from an editable install, each starter passes
its own `make synth` (every gate 0) and `make test`, and runs its worker locally; `make upgrade` moves its pin."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import constructs_lib
from constructs_lib.cli.origin import OriginError, names_us, requirement_of
from tests.helpers import CHECKOV, ROOT

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


def light_venv(folder: Path, *install: str, env: dict[str, str] | None = None) -> Path:
    """A virtual environment with constructs_lib alone (no dependencies: `new` and `requirement` need none)."""
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", *install], check=True,
                   capture_output=True, env=env)
    return python


def checkout_copy(folder: Path, version: str = VERSION) -> Path:
    """A checkout of the library (what a build reads), at `version`."""
    shutil.copytree(ROOT / "constructs_lib", folder / "constructs_lib",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, folder / name)
    init = folder / "constructs_lib" / "__init__.py"
    init.write_text(init.read_text().replace(f'__version__ = "{VERSION}"', f'__version__ = "{version}"'))
    return folder


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


def starter(kind: str, source: Path, tmp_path: Path) -> tuple[str, str, list[str]]:
    """A starter made by constructs_lib installed as `kind`; then its own `make synth` and `make test`."""
    home = tmp_path / kind
    home.mkdir()
    python = light_venv(home / "venv", *(["-e", str(source)] if kind == "editable" else [str(source)]))
    app = home / "my-service"
    subprocess.run([str(python), "-m", "constructs_lib", "new", str(app)], cwd=home, check=True, capture_output=True)
    line = (app / "requirements.txt").read_text().splitlines()[0]
    # The machine's checkov stands for the one `make` would install into .venv-checkov.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    # No bytecode for the installed packages: the same installs, a third sooner.
    env.update(CHECKOV=str(CHECKOV), PIP_NO_COMPILE="1", PATH=os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if Path(p) != Path(sys.executable).parent))
    outputs = []
    for target in ("synth", "test"):
        made = subprocess.run(["make", "--no-print-directory", target], cwd=app, env=env, capture_output=True,
                              text=True)
        outputs.append(f"exit {made.returncode}\n{made.stdout[-3000:]}\n{made.stderr[-3000:]}")
    local = subprocess.run([str(app / ".venv" / "bin" / "python"), "-m", "constructs_lib.local", "invoke", "cdk.out",
                            "MyService/Worker"], cwd=app, env=env, capture_output=True, text=True)
    outputs.append(f"exit {local.returncode}\n{local.stdout[-3000:]}\n{local.stderr[-3000:]}")
    return kind, line, outputs


def test_starters_from_the_wheel_a_folder_and_an_editable_install_pass_their_make_synth_and_test(
        dist: Path, tmp_path: Path) -> None:
    wheel = next(dist.glob("*.whl"))
    sources = {"wheel": wheel, "folder": checkout_copy(tmp_path / "folder-checkout"),
               "editable": checkout_copy(tmp_path / "editable-checkout")}
    with ThreadPoolExecutor(max_workers=len(sources)) as pool:
        results = list(pool.map(lambda kind: starter(kind, sources[kind], tmp_path), sources))
    lines = {kind: line for kind, line, _ in results}
    assert lines == {"wheel": f"constructs_lib[gates] @ {wheel.as_uri()}",
                     "folder": f"constructs_lib[gates] @ {sources['folder'].as_uri()}",
                     "editable": f"-e {sources['editable']}[gates]"}
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
