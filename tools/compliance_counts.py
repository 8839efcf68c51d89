"""Findings of cdk-nag's compliance packs (HIPAA Security, NIST 800-53 rev 5, PCI DSS 3.2.1) over the demo app or
the every-construct test app, by pack and by rule, for a profile:

    python tools/compliance_counts.py [default|regulated] [--app demo|every]

One synth per pack, each in its own process (bundling skipped): aws-cdk-lib prints a failed validation's findings,
and its validation-report.json keeps only the last plugin's report. The regulated demo gets a placeholder load
balancer certificate, as it serves HTTPS only.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKS = {"HIPAA": "HIPAASecurityChecks", "NIST": "NIST80053R5Checks", "PCI": "PCIDSS321Checks"}
CERTIFICATE = "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
FINDING = re.compile(r"Acknowledge with '[^:]+::[\w.]+-(\w+)'")

SYNTH = """
import sys, tempfile
from aws_cdk import App, Environment, Validations
import cdk_nag
profile, app_kind, pack = sys.argv[1:4]
if app_kind == "demo":
    from stacks import demo_region, demo_stacks
    from tests.helpers import DEMO_CONTEXT
    context = {**DEMO_CONTEXT, "aws:cdk:bundling-stacks": [], "constructs_lib:profile": profile}
    if profile == "regulated":
        context["constructs_lib:alb-certificate-arn"] = sys.argv[4]
    app = App(outdir=tempfile.mkdtemp(), context=context)
    demo_stacks(app, regional=Environment(region=demo_region(app)))
else:
    from tests.every_construct_app import every_construct_app
    app = every_construct_app(profile)
Validations.of(app).add_plugins(getattr(cdk_nag, pack)(app))
try:
    app.synth()
except Exception:
    pass  # the findings are printed
"""


def findings(profile: str, app: str, pack: str) -> list[str]:
    """The rules of each unacknowledged finding of one pack."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run([sys.executable, "-c", SYNTH, profile, app, PACKS[pack], CERTIFICATE],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return FINDING.findall(done.stdout + done.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", nargs="?", default="default", choices=["default", "regulated"])
    parser.add_argument("--app", default="demo", choices=["demo", "every"])
    args = parser.parse_args()
    by_rule: collections.Counter[str] = collections.Counter()
    for pack in PACKS:
        rules = findings(args.profile, args.app, pack)
        by_rule.update(rules)
        print(f"{pack:6} {len(rules):4d}")
    for rule, count in by_rule.most_common():
        print(f"  {count:4d} {rule}")


if __name__ == "__main__":
    main()
