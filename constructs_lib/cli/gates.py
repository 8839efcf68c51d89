"""``python -m constructs_lib.gates cdk.out``: every gate over any app's cloud assembly, with the library's
settings, and one summary line.

Gates: cfn-lint (CloudFormation's schemas) with the serverless rules appended (cfn-lint-serverless), checkov on
the templates (offline, from a virtual environment of its own), and what the app's CDK validation plugins
reported in the assembly: cdk-nag (AwsSolutions, Serverless), the Control Tower cfn-guard rules and DeployRules.
A gate that cannot run fails the command with its reason, unless it is named with ``--skip``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from .scanners import CHECKOV_VENV, GateNotRun, cfn_lint, checkov, find_checkov, install_checkov
from .validation_report import plugin_findings, reports_of

GATES = ("cfn-lint", "cfn-lint-serverless", "cdk-nag", "checkov", "cfn-guard", "DeployRules")
PLUGIN_GATES = ("cdk-nag", "cfn-guard", "DeployRules")
PLUGINS_HINT = ("no validation report in the assembly: add the plugins to the app, "
                "Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app), "
                "CfnGuardValidator(), DeployRules(app))")


@dataclass
class AssemblyReport:
    stacks: int
    templates: list[Path]
    findings: dict[str, list[str]] = field(default_factory=dict[str, list[str]])
    not_run: dict[str, str] = field(default_factory=dict[str, str])  # gate: why
    skipped: set[str] = field(default_factory=set[str])

    @property
    def clean(self) -> bool:
        return bool(self.templates) and not any(self.findings.values()) and not self.not_run

    def summary(self) -> str:
        counts = ", ".join(f"{gate} {self.verdict(gate)}" for gate in self.gates())
        return f"{self.stacks} stacks, {len(self.templates)} templates, findings: {counts}"

    def verdict(self, gate: str) -> str:
        if gate in self.skipped:
            return "skipped"
        if gate in self.not_run:
            return "not run"
        return str(len(self.findings.get(gate, [])))

    def gates(self) -> list[str]:
        return list(GATES) + sorted(set(self.findings) - set(GATES))


def templates_of(assembly: Path) -> list[Path]:
    """Every template of the assembly, nested stage assemblies included."""
    return sorted(assembly.rglob("*.template.json"))


def stack_count(assembly: Path) -> int:
    count = 0
    for manifest in assembly.rglob("manifest.json"):
        artifacts: dict[str, Any] = json.loads(manifest.read_text()).get("artifacts", {})
        count += sum(1 for a in artifacts.values() if a.get("type") == "aws:cloudformation:stack")
    return count


def check(assembly: Path, checkov_path: Optional[Path] = None, skip: Sequence[str] = ()) -> AssemblyReport:
    """Runs every gate not in `skip` over the assembly."""
    templates = templates_of(assembly)
    report = AssemblyReport(stacks=stack_count(assembly), templates=templates,
                            findings={gate: [] for gate in GATES}, skipped=set(skip))
    if not {"cfn-lint", "cfn-lint-serverless"} <= report.skipped:
        try:
            report.findings.update(cfn_lint(templates))
        except GateNotRun as reason:
            report.not_run.update({"cfn-lint": str(reason), "cfn-lint-serverless": str(reason)})
    if "checkov" not in report.skipped:
        try:
            report.findings["checkov"] = checkov(templates, find_checkov(checkov_path))
        except GateNotRun as reason:
            report.not_run["checkov"] = str(reason)
    if not reports_of(assembly):
        report.not_run.update({gate: PLUGINS_HINT for gate in PLUGIN_GATES})
    for gate, lines in plugin_findings(assembly).items():
        report.findings.setdefault(gate, []).extend(lines)
    for gate in report.skipped:
        report.findings.pop(gate, None)
        report.not_run.pop(gate, None)
    return report


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m constructs_lib.gates", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("assembly", type=Path, nargs="?", default=Path("cdk.out"),
                        help="the cloud assembly `cdk synth` wrote (default cdk.out)")
    parser.add_argument("--checkov", type=Path, metavar="PATH",
                        help="the checkov to run (default: $CHECKOV, ./.venv-checkov, beside this Python, PATH)")
    parser.add_argument("--skip", action="append", default=[], choices=GATES, metavar="GATE",
                        help=f"a gate not to run, said in the summary (one of {', '.join(GATES)}; repeatable)")
    parser.add_argument("--install-checkov", type=Path, metavar="DIR", nargs="?", const=CHECKOV_VENV,
                        help=f"make a virtual environment with the pinned checkov (default {CHECKOV_VENV}) and exit")
    args = parser.parse_args(argv)
    if args.install_checkov is not None:
        print(f"checkov installed: {install_checkov(args.install_checkov)}")
        return 0
    if not args.assembly.is_dir():
        parser.error(f"{args.assembly} is not a folder: run `cdk synth` first")
    report = check(args.assembly, args.checkov, args.skip)
    for gate in report.gates():
        for line in report.findings.get(gate, []):
            print(f"[{gate}] {line}")
        if gate in report.not_run:
            print(f"[{gate}] not run: {report.not_run[gate]}")
    print(f"synth: {report.summary()}")
    return 0 if report.clean else 1


if __name__ == "__main__":
    sys.exit(main())
