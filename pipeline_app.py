#!/usr/bin/env python3
"""The demo's second entry point: the demo stacks delivered by a pipeline, beta first, then production in two
regions. `cdk synth --app "python3 pipeline_app.py"` (docs/constructs/delivery-pipeline.md); the accounts, regions and repository come
from the context (cdk.json or -c), AWS's documentation placeholders unless given."""

from aws_cdk import App

from stacks.pipeline import build_pipeline_app

app = App()
build_pipeline_app(app)
app.synth()
