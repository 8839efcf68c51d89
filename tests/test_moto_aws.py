"""tests/handlers.py's moto_aws: moto's server runs in the test process, on moto's process-wide backends and
configuration, so each server must start as a fresh account and leave moto's configuration as it found it.
Otherwise a file's results depend on which files ran before it in the same process (pytest-xdist workers run
other sequences of files than one process does)."""

from __future__ import annotations

import json
import urllib.request

import boto3
from moto.core.config import default_user_config

from tests.handlers import moto_aws, on_demand_table


def test_a_server_starts_with_no_resources_of_the_one_before() -> None:
    with moto_aws():
        on_demand_table("orders", "pk")
        boto3.client("iam").create_role(RoleName="local", AssumeRolePolicyDocument="{}")
    with moto_aws():
        assert boto3.client("dynamodb").list_tables()["TableNames"] == []
        assert boto3.client("iam").list_roles()["Roles"] == []


def test_configuration_given_or_posted_to_the_server_ends_with_it() -> None:
    before = json.loads(json.dumps(default_user_config))
    with moto_aws({"stepfunctions": {"execute_state_machine": True}}) as endpoint:
        assert default_user_config["stepfunctions"] == {"execute_state_machine": True}
        request = urllib.request.Request(f"{endpoint}/moto-api/config", method="POST",
                                         data=json.dumps({"lambda": {"use_docker": False}}).encode())
        urllib.request.urlopen(request).close()
        assert default_user_config["lambda"] == {"use_docker": False}
    assert default_user_config == before
