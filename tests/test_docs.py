"""The documentation cannot rot: the site builds strictly, every Python example of the README and the
pages runs, every construct has a page, and the diagrams and cost figures are those of the app."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from aws_cdk import Stack

from tests.helpers import ROOT, make_app
from constructs_lib.diagrams import diagrams_of, markdown

DOCS = ROOT / "docs"
PAGES = {path.relative_to(ROOT).as_posix(): path.read_text()
         for path in [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))] if "diagrams" not in path.parts}
EXAMPLES = [(page, source) for page, text in PAGES.items() for source in re.findall(r"```python\n(.*?)```", text, re.S)]
RUNNABLE = [(page, source) for page, source in EXAMPLES if "def test_" not in source]
TEST_FILES = [(page, source) for page, source in EXAMPLES if "def test_" in source]


def page(name: str) -> str:
    return PAGES[f"docs/{name}"]


def example_id(page: str, source: str) -> str:
    construct = re.search(r"from constructs_lib import ([\w, ]+)", source)
    return f"{Path(page).stem}:" + (construct.group(1).replace(", ", "+") if construct else source.splitlines()[0][:30])


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    """A broken link, anchor, include or docstring reference fails the build (mkdocs --strict)."""
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                           cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert built.returncode == 0, built.stderr
    queue_worker = (tmp_path / "site" / "constructs" / "queue-worker" / "index.html").read_text()
    assert "max_receive_count" in queue_worker and 'class="mermaid"' in queue_worker  # options and diagram


def test_every_construct_has_an_example_and_a_reference() -> None:
    import constructs_lib

    shown = " ".join(source for _, source in EXAMPLES)
    referenced = set(re.findall(r"^::: constructs_lib\.(\w+)$", "\n".join(PAGES.values()), re.M))
    exported = set(constructs_lib.__all__) - {"ConfigurationError"}
    assert sorted(name for name in exported if name not in shown) == []
    assert sorted(exported - referenced) == []


def test_the_readme_is_a_short_front_page_linking_every_page() -> None:
    readme = PAGES["README.md"]
    assert len(readme) < 10_000
    linked = set(re.findall(r"\]\((docs/[\w/-]+\.md)", readme))
    pages = {path for path in PAGES if path.startswith("docs/") and path != "docs/index.md"}
    assert sorted(pages - linked) == []


@pytest.mark.parametrize("page,source", RUNNABLE, ids=[example_id(*example) for example in RUNNABLE])
def test_example_runs_and_synthesizes(page: str, source: str, monkeypatch) -> None:
    """Run with `app` and `stack` at hand (the examples' context), from the repository root."""
    monkeypatch.chdir(ROOT)
    app = make_app()
    namespace = {"app": app, "stack": Stack(app, "Example")}
    exec(compile(source, page, "exec"), namespace)
    if not namespace["stack"].node.children:
        app.node.try_remove_child("Example")  # the example built its own stack
    namespace["app"].synth()


@pytest.mark.parametrize("page,source", TEST_FILES, ids=[example_id(*example) for example in TEST_FILES])
def test_example_test_file_passes_twice(page: str, source: str, tmp_path: Path) -> None:
    """A test file from the docs: the first run writes the snapshot, the second compares with it."""
    test_file = tmp_path / "test_example.py"
    test_file.write_text(source)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
               "--rootdir", str(tmp_path), str(test_file)]
    first = subprocess.run([*command, "--snapshot-update"], cwd=ROOT, capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    second = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert second.returncode == 0 and "1 passed" in second.stdout, second.stdout + second.stderr
    assert list(tmp_path.rglob("*.json")), "no snapshot was written"


def test_the_diagrams_are_those_of_the_app(assembly: Path) -> None:
    """`make diagrams` has been run since the last change of a stack, and every diagram is shown."""
    diagrams = diagrams_of(assembly)
    assert sorted(p.stem for p in (DOCS / "diagrams").glob("*.md")) == sorted(diagrams)
    for stack, diagram in diagrams.items():
        assert (DOCS / "diagrams" / f"{stack}.md").read_text() == markdown(diagram), stack
        assert f'--8<-- "docs/diagrams/{stack}.md"' in page("demo-app.md"), stack


def test_the_deploying_page_says_what_a_first_deployment_must_check() -> None:
    for what in ("aws lambda get-account-settings", "cdk bootstrap aws://<account>/us-east-1",
                 "constructs_lib:provisioned-concurrency", "constructs_lib:alb-certificate-arn",
                 "a month"):
        assert what in page("deploying.md"), what
    edge = page("constructs/edge-distribution.md")
    assert "/aws/lambda/us-east-1.<name>" in edge and "Python 3.13" in edge


def test_the_standing_cost_table_counts_what_the_app_creates(assembly: Path) -> None:
    """KMS keys ($1.00 a month each) and standard alarms ($0.10 each) are counted in the synthesized app."""
    templates = [json.loads(p.read_text()) for p in assembly.rglob("*.template.json")]
    created = Counter(r["Type"] for t in templates for r in t["Resources"].values())
    for row, kind, price in (("| KMS keys", "AWS::KMS::Key", 1.00),
                             ("| CloudWatch alarms (standard resolution)", "AWS::CloudWatch::Alarm", 0.10)):
        (line,) = [line for line in page("deploying.md").splitlines() if line.startswith(row)]
        count, cost = line.split("|")[2:4]
        assert int(count) == created[kind], line
        assert cost.strip() == f"${created[kind] * price:.2f}", line
