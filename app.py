#!/usr/bin/env python3
"""The demo CDK app: `cdk synth` / `cdk deploy` from this folder."""

from aws_cdk import App

from stacks import build_app

app = App()
build_app(app)
app.synth()
