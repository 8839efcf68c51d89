"""Lints a synthesized cloud assembly: cfn-lint on every template, cdk-nag's report, one summary line.

Usage: python -m tools.check_assembly cdk.out  (exit 1 on any cfn-lint finding or cdk-nag violation)
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

CFN_LINT_CONFIG = Path(__file__).resolve().parent.parent / ".cfnlintrc"

@dataclass
class AssemblyReport:
    stacks: int
    templates: list[Path]
    lint_findings: list[str]
    nag_findings: list[str]

    @property
    def clean(self) -> bool:
        return not self.lint_findings and not self.nag_findings

    def summary(self) -> str:
        return (
            f"{self.stacks} stacks, {len(self.templates)} templates, "
            f"{len(self.lint_findings)} cfn-lint findings, {len(self.nag_findings)} cdk-nag findings"
        )


def templates_of(assembly: Path) -> list[Path]:
    """Every template of the assembly, nested stage assemblies included."""
    return sorted(assembly.rglob("*.template.json"))


def stack_count(assembly: Path) -> int:
    count = 0
    for manifest in assembly.rglob("manifest.json"):
        artifacts = json.loads(manifest.read_text()).get("artifacts", {})
        count += sum(1 for a in artifacts.values() if a.get("type") == "aws:cloudformation:stack")
    return count


def cfn_lint(templates: list[Path]) -> list[str]:
    """cfn-lint's findings (errors, warnings and informational), one line each."""
    if not templates:
        return []
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), "--config-file", str(CFN_LINT_CONFIG),
         "--format", "parseable", *map(str, templates)],
        capture_output=True,
        text=True,
    )
    findings = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0 and not findings:
        raise RuntimeError(f"cfn-lint failed to run: {result.stderr.strip()}")
    return findings


def nag_findings(assembly: Path) -> list[str]:
    """Unacknowledged violations that cdk-nag (a CDK validation plugin) reported for this assembly."""
    findings = []
    for report in assembly.rglob("*validation-report.json"):
        data = json.loads(report.read_text())
        for plugin in data.get("pluginReports", []):
            for violation in plugin.get("violations", []):
                for resource in violation.get("violatingResources", []) or [{}]:
                    where = resource.get("resourceLogicalId") or resource.get("constructPath", "?")
                    findings.append(f"{violation.get('ruleName')} at {where}")
    return findings


def check(assembly: Path) -> AssemblyReport:
    templates = templates_of(assembly)
    return AssemblyReport(
        stacks=stack_count(assembly),
        templates=templates,
        lint_findings=cfn_lint(templates),
        nag_findings=nag_findings(assembly),
    )


def main(argv: list[str]) -> int:
    assembly = Path(argv[0] if argv else "cdk.out")
    report = check(assembly)
    for line in report.lint_findings + report.nag_findings:
        print(line)
    print(f"synth: {report.summary()}")
    return 0 if report.clean and report.templates else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
