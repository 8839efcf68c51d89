"""Which AWS services a function's code may call, read from the statements of its role: what a function in a network
with no route out needs a VPC endpoint for.

A role also holds what Lambda does for the function from Lambda's own network, with the function's role: it writes
the function's logs, manages its network interfaces, polls its event sources (SQS, Kinesis, DynamoDB streams) and
delivers to its destinations and dead-letter queue. Statements on only those resources need no endpoint ("Lambda
event source mappings" and "Capturing records of Lambda asynchronous invocations" in Lambda's developer guide: the
service does that work, whatever the function's VPC), nor do the keys with which a queue, topic, bucket, table or
stream encrypts at rest (the service calls KMS for its caller: resources/function_grants.py). Everything else
counts, even where another service may be the caller (xray for traces): a missing endpoint is a timeout at run time,
an extra one a few dollars a month.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from ..core.templates import as_list, dig, joined_parts

# Services reached through a gateway endpoint (free; routes in the subnets' route tables).
GATEWAY_SERVICES = ("s3", "dynamodb")
# IAM service prefix -> the interface endpoint's service name (com.amazonaws.<region>.<name>), where the two differ
# (AWS PrivateLink guide, "AWS services that integrate with AWS PrivateLink"; each name is one of aws-cdk-lib's
# InterfaceVpcEndpointAwsService).
ENDPOINT_NAMES = {
    "cloudwatch": "monitoring",
    "kinesis": "kinesis-streams",
    "firehose": "kinesis-firehose",
    "ses": "email",
}
# Services whose API one interface endpoint serves under the IAM prefix's name. Left out, so refused: services whose
# API is split among endpoints (sagemaker, ecr, bedrock but its runtime), or not served by one for a function's calls
# (execute-api's endpoint serves private APIs only, and with private DNS turns calls to regional APIs into errors;
# elasticache, kafka and es reach their clusters' data planes through the clusters' own network).
SAME_NAME = frozenset({
    "sqs", "sns", "lambda", "states", "events", "secretsmanager", "ssm", "kms", "sts", "codedeploy", "codepipeline",
    "logs", "cognito-idp", "xray", "athena", "glue", "rekognition", "comprehend", "translate", "textract", "rds-data",
    "ecs", "ebs", "cloudformation", "codebuild", "codecommit", "servicecatalog", "pipes", "transfer", "ec2",
})
# Actions whose endpoint is not the prefix's: AppConfig's configuration reads, Bedrock's model invocations; None: no
# endpoint serves it (a function URL is called over HTTPS at its own domain).
ACTION_ENDPOINTS: dict[str, str | None] = {
    "appconfig:startconfigurationsession": "appconfigdata",
    "appconfig:getlatestconfiguration": "appconfigdata",
    "bedrock:invokemodel": "bedrock-runtime",
    "bedrock:invokemodelwithresponsestream": "bedrock-runtime",
    "lambda:invokefunctionurl": None,
}
# Permissions that authorize no request of their own (passing a role to a service the function calls).
NOT_CALLS = frozenset({"iam:passrole"})
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
        if dig(statement, "NotAction") is not None:
            unknown.setdefault("NotAction", "an Allow of every action but some (NotAction)")
        for action in as_list(dig(statement, "Action")):
            name = action.lower() if isinstance(action, str) else ""
            if not name or name in LAMBDA_NETWORK_ACTIONS or name in NOT_CALLS:
                continue
            prefix = name.split(":", 1)[0]
            if name in ACTION_ENDPOINTS:
                endpoint = ACTION_ENDPOINTS[name]
                if endpoint is None:
                    unknown.setdefault(prefix, action)
                else:
                    interfaces.add(endpoint)
            elif prefix in GATEWAY_SERVICES:
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
