"""Which AWS services a function's code may call, read from the statements of its role: what a function in a network
with no route out needs a VPC endpoint for.

A role also holds what Lambda does for the function from Lambda's own network, with the function's role: it writes
the function's logs, manages its network interfaces, polls its event sources (SQS, Kinesis, DynamoDB streams) and
delivers to its destinations and dead-letter queue. Statements on only those resources need no endpoint ("Lambda
event source mappings" and "Capturing records of Lambda asynchronous invocations" in Lambda's developer guide: the
service does that work, whatever the function's VPC). Everything else counts, even where a service acting for the
function would be the caller (kms for an encrypted queue): a missing endpoint is a timeout at run time, an extra one
a few dollars a month.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from ..core.templates import as_list, dig, joined_parts

# Services reached through a gateway endpoint (free; routes in the subnets' route tables).
GATEWAY_SERVICES = ("s3", "dynamodb")
# IAM service prefix -> the interface endpoint's service name (com.amazonaws.<region>.<name>), where the two differ
# (AWS PrivateLink guide, "AWS services that integrate with AWS PrivateLink").
ENDPOINT_NAMES = {
    "cloudwatch": "monitoring",
    "kinesis": "kinesis-streams",
    "firehose": "kinesis-firehose",
    "bedrock": "bedrock-runtime",
    "textract": "textract",
}
# Services whose API an interface endpoint serves under the same name as the IAM prefix.
SAME_NAME = frozenset({
    "sqs", "sns", "lambda", "states", "events", "secretsmanager", "ssm", "kms", "sts", "codedeploy", "codepipeline",
    "logs", "cognito-idp", "execute-api", "xray", "athena", "glue", "scheduler", "ses", "rekognition", "comprehend",
    "translate", "sagemaker", "appconfig", "elasticache", "rds-data", "ecr", "ecs", "ebs", "cloudformation",
    "codebuild", "codecommit", "servicecatalog", "sso", "kafka", "es", "timestream", "pipes", "transfer", "ec2",
})
# Lambda's calls for the function's network interfaces (what AWSLambdaVPCAccessExecutionRole allows).
LAMBDA_NETWORK_ACTIONS = frozenset({
    "ec2:createnetworkinterface", "ec2:describenetworkinterfaces", "ec2:describesubnets",
    "ec2:deletenetworkinterface", "ec2:assignprivateipaddresses", "ec2:unassignprivateipaddresses",
})


@dataclass(frozen=True)
class Needs:
    """What a function's role lets its code call: gateway services, interface endpoint names, and service prefixes
    with no endpoint the library knows (each with an action that needs it)."""

    gateways: frozenset[str]
    interfaces: frozenset[str]
    unknown: dict[str, str]


def needs(statements: Iterable[Any], lambda_resources: Iterable[Any]) -> Needs:
    """The services the Allow statements reach, leaving out statements whose every resource is one that Lambda uses
    for the function (`lambda_resources`, resolved as the template writes them) and Lambda's network actions."""
    lambda_keys = {_key(resource) for resource in lambda_resources}
    gateways: set[str] = set()
    interfaces: set[str] = set()
    unknown: dict[str, str] = {}
    for statement in statements:
        if dig(statement, "Effect") != "Allow":
            continue
        resources = as_list(dig(statement, "Resource"))
        if resources and all(_key(_without_suffix(resource)) in lambda_keys for resource in resources):
            continue
        for action in as_list(dig(statement, "Action")):
            if not isinstance(action, str) or action.lower() in LAMBDA_NETWORK_ACTIONS:
                continue
            prefix = action.split(":", 1)[0].lower()
            if prefix in GATEWAY_SERVICES:
                gateways.add(prefix)
            elif prefix in ENDPOINT_NAMES or prefix in SAME_NAME:
                interfaces.add(ENDPOINT_NAMES.get(prefix, prefix))
            else:
                unknown.setdefault(prefix, action)
    return Needs(frozenset(gateways), frozenset(interfaces), unknown)


def _without_suffix(resource: Any) -> Any:
    """An ARN with ':*' or '/*' after it (a function's versions, a stream's shards) stands for that ARN."""
    parts = joined_parts(resource)
    if len(parts) == 2 and as_list(dig(resource, "Fn::Join"))[0] == "" and parts[1] in (":*", "/*"):
        return parts[0]
    if isinstance(resource, str) and resource.endswith((":*", "/*")) and resource != "*":
        return resource[:-2]
    return resource


def _key(resource: Any) -> str:
    return json.dumps(resource, sort_keys=True)
