"""Synthesizes the pipeline app (pipeline_app.py) into a folder, as `cdk synth --app "python3 pipeline_app.py"` does
with the demo's cdk.json context, asset bundling skipped: `python -m tests.pipeline_synth OUTDIR`. The test session
starts it beside the other tests (a synth of its 48 stacks takes about a minute) and runs the gates on what it wrote."""

from __future__ import annotations

import sys

from aws_cdk import App

from stacks.pipeline import build_pipeline_app
from tests.helpers import DEMO_CONTEXT


def synth(outdir: str) -> None:
    app = App(outdir=outdir, context={**DEMO_CONTEXT, "aws:cdk:bundling-stacks": []})
    build_pipeline_app(app)
    app.synth()


if __name__ == "__main__":
    synth(sys.argv[1])
