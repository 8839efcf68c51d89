"""What the CDK policy-validation plugins of an app reported in its cloud assembly (validation-report.json):
cdk-nag's packs, the Control Tower cfn-guard rules, DeployRules, and any other plugin by its own name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from ..core.templates import dig

# Which gate each plugin reports for.
PLUGIN_GATES = {"AwsSolutions": "cdk-nag", "Serverless": "cdk-nag", "cdk-validator-cfnguard": "cfn-guard",
                "DeployRules": "DeployRules"}
REPORT = "validation-report.json"


def reports_of(assembly: Path) -> list[Path]:
    """The assembly's validation reports (a nested stage assembly may hold its own)."""
    return sorted(assembly.rglob(f"*{REPORT}"))


def plugin_findings(assembly: Path) -> dict[str, list[str]]:
    """Unacknowledged violations that CDK validation plugins reported for this assembly, by gate."""
    found: dict[str, list[str]] = {}
    for report in reports_of(assembly):
        data: dict[str, Any] = json.loads(report.read_text())
        for plugin in cast(list[dict[str, Any]], data.get("pluginReports", [])):
            name = str(plugin.get("pluginName", "?"))
            gate = PLUGIN_GATES.get(name, name)
            error = dig(plugin, "metadata", "error")
            if error:  # the plugin raised: aws-cdk-lib lets the synth pass, the gate does not
                found.setdefault(gate, []).append(f"plugin failed: {error}")
            for violation in cast(list[dict[str, Any]], plugin.get("violations", [])):
                for where in cast(list[dict[str, Any]], violation.get("violatingConstructs") or [{}]):
                    resource = cast(dict[str, Any], where.get("cloudFormationResource", {}))
                    found.setdefault(gate, []).append(
                        f"{violation.get('ruleName')} at {where.get('constructPath', '?')}"
                        f" ({resource.get('logicalId', '?')})"
                    )
    return found
