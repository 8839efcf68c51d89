"""Running handlers in tests: a Lambda context, the handler module, moto's server as AWS."""

from __future__ import annotations

import copy
import importlib.util
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import boto3
from moto.core.config import default_user_config
from moto.moto_api._internal.models import moto_api_backend
from moto.server import ThreadedMotoServer


@dataclass
class Context:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name: str = "test-function"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:111111111111:function:test-function"
    aws_request_id: str = "req-1"


def load_handler(path: Path, name: str) -> ModuleType:
    """Imports a handler.py under `name` (registered, as dataclasses and pickling need)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def moto_aws(config: dict[str, Any] | None = None, **environment: str) -> Iterator[str]:
    """moto's HTTP server as every AWS endpoint, with fake credentials and `environment` set: a fresh account
    each time, with `config` (moto's configuration, e.g. {"lambda": {"use_docker": False}}) over moto's defaults.

    The server runs in this process, on moto's process-wide backends and configuration: it starts from empty
    backends, and the configuration and the environment are restored afterwards, so that what one test file
    made or configured never reaches the next one that the same process (or pytest-xdist worker) runs.
    Yields the endpoint URL.
    """
    saved_config = copy.deepcopy(default_user_config)
    moto_api_backend.reset()
    moto_api_backend.set_config(config or {})
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    saved = dict(os.environ)
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1", POWERTOOLS_TRACE_DISABLED="1", **environment,
    )
    try:
        yield os.environ["AWS_ENDPOINT_URL"]
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)
        default_user_config.clear()
        default_user_config.update(saved_config)


def on_demand_table(name: str, *keys: str) -> None:
    """A pay-per-request DynamoDB table keyed by string attributes: the hash key, then the range key if given."""
    kinds = ("HASH", "RANGE")
    boto3.client("dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": key, "KeyType": kind} for key, kind in zip(keys, kinds)],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in keys],
    )
