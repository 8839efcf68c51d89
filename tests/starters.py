"""The starter apps the packaging tests make, one per kind of install of constructs_lib (the built wheel, a
checkout folder, an editable install), each through its own `make synth` and `make test`, and its worker run
locally. They take minutes (each app installs aws-cdk-lib and its tools): the session runs them as a job beside
the other tests (tests/background.py), `python -m tests.starters JOBS OUT KIND...` once the wheel's job (`dist`) has
ended, and tests/test_starter_installs.py reads what they printed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests import background
from tests.paths import CHECKOV, ROOT

VERSION_LINE = "__version__ = "
Starters = tuple[dict[str, Path], list[tuple[str, str, list[str]]]]  # sources by kind; (kind, line, outputs)


def light_venv(folder: Path, *install: str, env: dict[str, str] | None = None) -> Path:
    """A virtual environment with constructs_lib alone (no dependencies: `new` and `requirement` need none)."""
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", *install], check=True,
                   capture_output=True, env=env)
    return python


def checkout_copy(folder: Path, version: str = "") -> Path:
    """A checkout of the library (what a build reads), at `version` when one is given."""
    shutil.copytree(ROOT / "constructs_lib", folder / "constructs_lib",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, folder / name)
    if version:
        init = folder / "constructs_lib" / "__init__.py"
        lines = [f'__version__ = "{version}"' if line.startswith(VERSION_LINE) else line
                 for line in init.read_text().splitlines()]
        init.write_text("\n".join(lines) + "\n")
    return folder


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


KINDS = ("wheel", "folder", "editable")


def run_starters(dist: Path, workdir: Path, kinds: tuple[str, ...] = KINDS) -> Starters:
    sources = {"wheel": lambda: next(dist.glob("*.whl")), "folder": lambda: checkout_copy(workdir / "folder-checkout"),
               "editable": lambda: checkout_copy(workdir / "editable-checkout")}
    sources = {kind: sources[kind]() for kind in kinds}
    with ThreadPoolExecutor(max_workers=len(sources)) as pool:
        results = list(pool.map(lambda kind: starter(kind, sources[kind], workdir), sources))
    return sources, results


def as_json(made: Starters) -> str:
    sources, results = made
    return json.dumps({"sources": {kind: str(path) for kind, path in sources.items()}, "results": results})


def from_json(text: str) -> Starters:
    made = json.loads(text)
    return ({kind: Path(path) for kind, path in made["sources"].items()},
            [(kind, line, outputs) for kind, line, outputs in made["results"]])


if __name__ == "__main__":
    jobs, out, *kinds = sys.argv[1:]
    dist = background.wait(Path(jobs), "dist")
    if dist.status != 0:
        sys.exit(dist.failure("python -m build"))
    print(as_json(run_starters(dist.folder, Path(out), tuple(kinds))))
