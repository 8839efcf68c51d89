"""Synthesizes the pipeline app (pipeline_app.py) into a folder, as `cdk synth --app "python3 pipeline_app.py"` does
with the demo's cdk.json context, asset bundling skipped: `python -m tests.pipeline_synth OUTDIR`. The test session
starts it beside the other tests (with the demo stacks of STACKS in each stage) and runs the gates on what it wrote."""

from __future__ import annotations

import sys

from aws_cdk import App

from stacks.pipeline import build_pipeline_app
from tests.helpers import DEMO_CONTEXT

# The demo stacks whose templates depend on the stage's account or region (availability zones, load balancer log
# delivery, Lambda@Edge's us-east-1 stack); the others are gated as the demo app builds them (tests/test_app.py).
STACKS = "ServerlessFunctionDemo,VpcFunctionDemo,AlbFunctionDemo,EdgeDistributionDemo"


def synth(outdir: str) -> None:
    app = App(outdir=outdir, context={**DEMO_CONTEXT, "aws:cdk:bundling-stacks": [],
                                      "constructs_lib:pipeline-stacks": STACKS})
    build_pipeline_app(app)
    app.synth()


if __name__ == "__main__":
    synth(sys.argv[1])
