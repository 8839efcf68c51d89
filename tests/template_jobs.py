"""Synths a test session runs once, beside its tests (tests/background.py jobs), each writing the templates it made
(by stack name) as JSON: ``python -m tests.template_jobs FOLDER KIND...`` writes FOLDER/KIND.json for each KIND in
turn, in one process (jsii starts once). Each app adds validation plugins to its synth, so that the job fails on any
unacknowledged finding.

- unflagged: the demo app with its settings but none of its feature flags, as a user's new app is;
- variants: options the demo does not use (tests/test_suppressions.py);
- regulated: the demo app under the regulated profile, with the three compliance packs its build adds then;
- regulated_every: the every-construct test app under the regulated profile, with the three compliance packs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

from aws_cdk import App, Validations
from cdk_nag import HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks

from stacks import build_app
from stacks.environment import DEFAULT_REGION
from tests.helpers import DEMO_CONTEXT, FEATURE_FLAGS

# What a regulated demo is given: a certificate for its load balancer (HTTPS only under the profile).
ALB_CERTIFICATE = "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"


def unflagged() -> App:
    settings = {key: value for key, value in DEMO_CONTEXT.items() if key not in FEATURE_FLAGS}
    app = App(context={**settings, "constructs_lib:region": DEFAULT_REGION, "aws:cdk:bundling-stacks": []})
    build_app(app)
    return app


def regulated() -> App:
    app = App(context={**DEMO_CONTEXT, "constructs_lib:region": DEFAULT_REGION, "aws:cdk:bundling-stacks": [],
                       "constructs_lib:profile": "regulated", "constructs_lib:alb-certificate-arn": ALB_CERTIFICATE})
    build_app(app)
    return app


def regulated_every() -> App:
    from tests.every_construct_app import every_construct_app

    app = every_construct_app("regulated")
    Validations.of(app).add_plugins(HIPAASecurityChecks(app), NIST80053R5Checks(app), PCIDSS321Checks(app))
    return app


def variants() -> App:
    from tests.test_suppressions import variants

    return variants()


APPS: dict[str, Callable[[], App]] = {"unflagged": unflagged, "variants": variants, "regulated": regulated,
                                      "regulated_every": regulated_every}


def main(folder: str, *kinds: str) -> None:
    for kind in kinds:
        assembly = APPS[kind]().synth()
        templates = {stack.stack_name: stack.template for stack in assembly.stacks}
        (Path(folder) / f"{kind}.json").write_text(json.dumps(templates))


if __name__ == "__main__":
    main(*sys.argv[1:])
