"""The layer with the `s3_records` module: S3 event records out of SQS batches (see its docstring)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

SOURCE = Path(__file__).resolve().parents[1] / "handlers" / "s3_records"


def records_layer(scope: Construct, construct_id: str = "RecordsLayer") -> lambda_.LayerVersion:
    """The layer, once per scope (pure Python: for any architecture and Python 3 runtime)."""
    found = scope.node.try_find_child(construct_id)
    if isinstance(found, lambda_.LayerVersion):
        return found
    return lambda_.LayerVersion(
        scope, construct_id, code=lambda_.Code.from_asset(str(SOURCE), exclude=["__pycache__", "*.pyc"]),
        description="s3_records: the S3 event records of an SQS batch",
        compatible_architectures=[lambda_.Architecture.ARM_64, lambda_.Architecture.X86_64],
    )
