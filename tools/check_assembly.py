"""Runs every gate over a synthesized cloud assembly and prints one summary line.

Gates: cfn-lint (CloudFormation's schemas), cfn-lint-serverless (the serverless rules appended to
cfn-lint), checkov (run on the templates, offline), and the CDK policy-validation plugins whose
report the synth wrote: cdk-nag (AwsSolutions, Serverless), the Control Tower cfn-guard rules and
DeployRules (what AWS checks only at deploy time or at the first request).

Usage: python -m tools.check_assembly cdk.out  (exit 1 on any finding of any gate)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CFN_LINT_CONFIG = ROOT / ".cfnlintrc"
# checkov has a virtual environment of its own (see the Makefile); CHECKOV overrides the path.
CHECKOV = Path(os.environ.get("CHECKOV", ROOT / ".venv-checkov" / "bin" / "checkov"))
GATES = ("cfn-lint", "cfn-lint-serverless", "cdk-nag", "checkov", "cfn-guard", "DeployRules")
# The serverless rules' ids are ES/WS/IS + digits; cfn-lint's own are E/W/I + digits.
SERVERLESS_RULE = re.compile(r"[EWI]S\d+")
# Which gate each CDK validation plugin reports for.
PLUGIN_GATES = {"AwsSolutions": "cdk-nag", "Serverless": "cdk-nag", "cdk-validator-cfnguard": "cfn-guard",
                "DeployRules": "DeployRules"}


@dataclass
class AssemblyReport:
    stacks: int
    templates: list[Path]
    findings: dict[str, list[str]] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not any(self.findings.values())

    def summary(self) -> str:
        counts = ", ".join(f"{gate} {len(self.findings.get(gate, []))}" for gate in self.gates())
        return f"{self.stacks} stacks, {len(self.templates)} templates, findings: {counts}"

    def gates(self) -> list[str]:
        return list(GATES) + sorted(set(self.findings) - set(GATES))


def templates_of(assembly: Path) -> list[Path]:
    """Every template of the assembly, nested stage assemblies included."""
    return sorted(assembly.rglob("*.template.json"))


def stack_count(assembly: Path) -> int:
    count = 0
    for manifest in assembly.rglob("manifest.json"):
        artifacts = json.loads(manifest.read_text()).get("artifacts", {})
        count += sum(1 for a in artifacts.values() if a.get("type") == "aws:cloudformation:stack")
    return count


def cfn_lint(templates: list[Path]) -> dict[str, list[str]]:
    """cfn-lint's findings with the serverless rules appended, one line each, split by rule set."""
    found: dict[str, list[str]] = {"cfn-lint": [], "cfn-lint-serverless": []}
    if not templates:
        return found
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), "--config-file", str(CFN_LINT_CONFIG),
         "--append-rules", "cfn_lint_serverless.rules", "--format", "parseable", "--", *map(str, templates)],
        capture_output=True,
        text=True,
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0 and not lines:
        raise RuntimeError(f"cfn-lint failed to run: {result.stderr.strip()}")
    for line in lines:
        rule = line.split(":")[5] if line.count(":") >= 6 else ""
        found["cfn-lint-serverless" if SERVERLESS_RULE.fullmatch(rule) else "cfn-lint"].append(line)
    return found


def checkov(templates: list[Path]) -> list[str]:
    """checkov's failed checks (offline: --skip-download), one line each: check, file and resource."""
    if not templates:
        return []
    if not CHECKOV.is_file():
        raise RuntimeError(f"checkov is not installed at {CHECKOV}: run `make install`")
    files = [argument for template in templates for argument in ("-f", str(template))]
    result = subprocess.run(
        [str(CHECKOV), "--skip-download", "--framework", "cloudformation", "--quiet", "--compact",
         "--output", "json", *files],
        capture_output=True,
        text=True,
    )
    try:
        reports = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"checkov failed to run: {result.stderr.strip()[-2000:]}") from None
    found = []
    for report in reports if isinstance(reports, list) else [reports]:
        for check in report.get("results", {}).get("failed_checks", []):
            found.append(f"{check['check_id']} at {Path(check['file_path']).name}:{check['resource']}")
    return found


def plugin_findings(assembly: Path) -> dict[str, list[str]]:
    """Unacknowledged violations that CDK validation plugins reported for this assembly, by gate."""
    found: dict[str, list[str]] = {}
    for report in assembly.rglob("*validation-report.json"):
        data = json.loads(report.read_text())
        for plugin in data.get("pluginReports", []):
            gate = PLUGIN_GATES.get(plugin.get("pluginName", "?"), plugin.get("pluginName", "?"))
            error = (plugin.get("metadata") or {}).get("error")
            if error:  # the plugin raised: aws-cdk-lib lets the synth pass, the gate does not
                found.setdefault(gate, []).append(f"plugin failed: {error}")
            for violation in plugin.get("violations", []):
                for where in violation.get("violatingConstructs", []) or [{}]:
                    resource = where.get("cloudFormationResource", {})
                    found.setdefault(gate, []).append(
                        f"{violation.get('ruleName')} at {where.get('constructPath', '?')}"
                        f" ({resource.get('logicalId', '?')})"
                    )
    return found


def check(assembly: Path) -> AssemblyReport:
    templates = templates_of(assembly)
    findings = {gate: [] for gate in GATES}
    findings.update(cfn_lint(templates))
    findings["checkov"] = checkov(templates)
    for gate, lines in plugin_findings(assembly).items():
        findings.setdefault(gate, []).extend(lines)
    return AssemblyReport(stacks=stack_count(assembly), templates=templates, findings=findings)


def main(argv: list[str]) -> int:
    assembly = Path(argv[0] if argv else "cdk.out")
    report = check(assembly)
    for gate in report.gates():
        for line in report.findings.get(gate, []):
            print(f"[{gate}] {line}")
    print(f"synth: {report.summary()}")
    return 0 if report.clean and report.templates else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
