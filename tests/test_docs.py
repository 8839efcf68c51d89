"""The documentation cannot rot: every Python example of the README and the pages runs, every construct has a
page, the diagrams and cost figures are those of the app, every price shown is computed from the one price
table, and no page speaks of notes a reader does not have. (The built site: tests/test_site.py.)"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from aws_cdk import Stack

from constructs_lib.diagrams import diagrams_of, markdown
from constructs_lib.pricing.prices import HOURS_PER_MONTH, PRICES, SECONDS_PER_MONTH
from tests.helpers import ROOT, make_app

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


def test_the_standing_cost_table_is_that_of_the_app(assembly: Path) -> None:
    """docs/deploying.md shows what the demo app's resources cost standing still, priced by constructs_lib.pricing."""
    from tools.construct_costs import standing_table

    table = standing_table(assembly)
    assert table in page("deploying.md")
    templates = [json.loads(p.read_text()) for p in assembly.rglob("*.template.json")]
    created = Counter(r["Type"] for t in templates for r in t["Resources"].values())
    for row, kind in (("| KMS keys |", "AWS::KMS::Key"), ("| CloudWatch alarms", "AWS::CloudWatch::Alarm")):
        (line,) = [line for line in table.splitlines() if line.startswith(row)]
        assert int(line.split("|")[2]) == created[kind], line


def test_the_price_table_is_that_of_the_pricer() -> None:
    from tools.construct_costs import prices_table

    assert prices_table() in page("costs.md")


# Every dollar figure a page or a docstring shows outside the generated tables, computed from the one price table
# (constructs_lib/pricing/prices.py): a price changed there fails here until the pages say the same.
SHOWN_PRICES = {
    "$0.20": PRICES["lambda.requests"].usd,  # per million requests
    "$0.0000166667": PRICES["lambda.duration.x86_64"].usd,
    "$0.0000133334": PRICES["lambda.duration.arm64"].usd,
    "$0.0000015046": PRICES["lambda.snap_start_cache"].usd,
    "$0.0001397998": PRICES["lambda.snap_start_restore"].usd,
    "$3.95": PRICES["lambda.snap_start_cache"].cost(SECONDS_PER_MONTH),  # a month of 1 GB cached
    "$1.40": PRICES["lambda.snap_start_restore"].cost(10_000),  # 10,000 restores of 1 GB
    "$1.00": PRICES["apigateway.http_requests"].usd,  # per million requests
    "$3.50": PRICES["apigateway.rest_requests"].usd,
    "$1": PRICES["kms.keys"].usd,  # a key a month
    "$16.43": PRICES["alb.hours"].cost(HOURS_PER_MONTH),
    "$3.65": PRICES["vpc.public_ipv4_hours"].cost(HOURS_PER_MONTH),  # an address a month
    "$7.30": PRICES["endpoint.interface_hours"].cost(HOURS_PER_MONTH),  # an interface endpoint in one AZ a month
    "$32.85": PRICES["nat.hours"].cost(HOURS_PER_MONTH),
    "$14.60": PRICES["endpoint.interface_hours"].cost(2 * HOURS_PER_MONTH),  # in two AZs a month
    "$0.01": PRICES["endpoint.gb"].usd,  # per GB through an interface endpoint (and per AZ-hour)
    # Durable functions and Step Functions (their pages' worked month: a million orders of four 100 ms steps at
    # 256 MB on arm64; the demo's five transitions for 100,000 orders).
    "$8.00": PRICES["lambda.durable_operations"].usd,
    "$0.80": PRICES["lambda.requests"].cost(4_000_000),
    "$1.33": PRICES["lambda.duration.arm64"].cost(100_000),
    "$32.00": PRICES["lambda.durable_operations"].cost(4_000_000),
    "$33.53": PRICES["lambda.requests"].cost(1_000_000) + PRICES["lambda.duration.arm64"].cost(100_000)
    + PRICES["lambda.durable_operations"].cost(4_000_000),
    "$0.025": PRICES["stepfunctions.transitions"].usd,  # per 1,000 transitions
    "$100.00": PRICES["stepfunctions.transitions"].cost(4_000_000),
    "$102.13": PRICES["lambda.requests"].cost(4_000_000) + PRICES["lambda.duration.arm64"].cost(100_000)
    + PRICES["stepfunctions.transitions"].cost(4_000_000),
    "$0.00001667": PRICES["stepfunctions.express_duration"].usd,
    "$12.50": PRICES["stepfunctions.transitions"].cost(500_000),
    "$0.50": 5 * PRICES["cloudwatch.alarm_metrics"].usd,  # five alarms a month
    "$0.029": PRICES["firehose.ingested"].usd,  # per GB ingested
    "$0.002": PRICES["codepipeline.v2_action_minutes"].usd,  # per action execution minute
    "$0.005": PRICES["codebuild.general1_small"].usd,  # per build minute
    # The regulated profile's web ACL: the ACL and its two managed rule groups a month, and its requests.
    "$5": PRICES["waf.web_acls"].usd,
    "$7": PRICES["waf.web_acls"].usd + 2 * PRICES["waf.rules"].usd,
    "$0.60": PRICES["waf.requests"].usd,  # per million requests
}
FIGURE = re.compile(r"\$\d[\d,]*(?:\.\d+)?")


def shown_texts() -> dict[str, str]:
    """The pages without their generated tables, and the docstrings of the package (rendered on the pages)."""
    from tools.construct_costs import prices_table, table

    generated = [table(), prices_table()]
    texts = {name: text for name, text in PAGES.items()}
    for name, text in texts.items():
        for block in generated:
            text = text.replace(block, "")
        texts[name] = re.sub(r"\n\| what \| how many \| a month \|\n(\|.*\n)+", "\n", text)  # the app's, checked above
        # Each construct by profile: checked in tests/test_pricing.py.
        texts[name] = re.sub(r"\n\| construct \| default, idle a month \|.*\n(\|.*\n)+", "\n", texts[name])
    for module in sorted((ROOT / "constructs_lib").rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and ast.get_docstring(node):
                texts[f"{module.relative_to(ROOT)}:{getattr(node, 'name', '')}"] = ast.get_docstring(node) or ""
    return texts


def test_every_price_shown_is_computed_from_the_price_table() -> None:
    shown = {(where, figure) for where, text in shown_texts().items() for figure in FIGURE.findall(text)}
    assert sorted(f"{where}: {figure}" for where, figure in shown if figure not in SHOWN_PRICES) == []
    for figure, computed in SHOWN_PRICES.items():
        value = float(figure[1:].replace(",", ""))
        exact = len(figure.partition(".")[2]) > 2
        assert value == pytest.approx(computed, abs=0 if exact else 0.005), figure
    assert sorted(set(SHOWN_PRICES) - {figure for _, figure in shown}) == []  # none listed that no page shows


def test_no_page_speaks_of_notes_a_reader_does_not_have() -> None:
    """The pages and the package's sources, docstrings included: a reader has the docs, not the project's notes."""
    sources = {p.relative_to(ROOT).as_posix(): p.read_text() for folder in ("constructs_lib", "stacks")
               for p in (ROOT / folder).rglob("*.py")}
    mentions = [name for name, text in {**PAGES, **sources}.items()
                if re.search(r"\bthe notes\b|\bnotes'|\bseed notes\b", text, re.I)]
    assert mentions == []
