"""The pipeline app (pipeline_app.py: the demo stacks in a beta stage and two production stages, delivered by a
DeliveryPipeline), synthesized once per session beside the other tests: every stage's stacks are in its nested
assembly, and every gate finds nothing in any template."""

from __future__ import annotations

import json
from pathlib import Path

from constructs_lib.cli import gates
from stacks.pipeline import COMMANDS
from tests.helpers import CHECKOV, ROOT
from tests.pipeline_synth import STACKS

STAGES = ("Beta", "Production-us-east-1", "Production-eu-west-1")


def test_each_stage_is_a_nested_assembly_of_the_demo_stacks(pipeline_assembly: Path) -> None:
    manifest = json.loads((pipeline_assembly / "manifest.json").read_text())
    nested = {a["properties"]["displayName"] for a in manifest["artifacts"].values()
              if a["type"] == "cdk:cloud-assembly"}
    assert nested == set(STAGES)
    for stage in STAGES:
        stacks = {a["displayName"].split("/")[-1] for a in json.loads(
            (pipeline_assembly / f"assembly-{stage}" / "manifest.json").read_text())["artifacts"].values()
            if a["type"] == "aws:cloudformation:stack"}
        assert stacks >= {"DeliveryChecks", *STACKS.split(",")}


def test_every_gate_is_clean_on_every_template_nested_stages_included(pipeline_assembly: Path) -> None:
    report = gates.check(pipeline_assembly, CHECKOV)
    assert report.findings == {gate: [] for gate in gates.GATES}
    nested = [p for p in report.templates if p.parent.name.startswith("assembly-")]
    assert {p.parent.name for p in nested} == {f"assembly-{stage}" for stage in STAGES}
    assert any(p.name == "DeliveryPipeline.template.json" for p in report.templates)


def test_the_pipelines_synth_step_runs_the_demos_gates_then_makes_this_app() -> None:
    assert COMMANDS == ("make test", "make synth", "make pipeline")
    makefile = (ROOT / "Makefile").read_text()
    assert "\npipeline: install\n" in makefile and "pipeline_app.py" in makefile
