"""What a stack created again meets: a resource it retained on delete, under the same fixed name.

A resource with DeletionPolicy Retain (or RetainExceptOnCreate) outlives its stack. When its name is fixed (a
literal, or built from pseudo parameters that a stack of the same name has again), the next create of the stack
asks for a name that exists, and the service refuses it: CloudWatch Logs with ResourceAlreadyExistsException,
S3 with BucketAlreadyOwnedByYou, DynamoDB with ResourceInUseException. The stack's GUID (AWS::StackId) changes
with each create and never on update, so a name that contains it is safe.
"""

from __future__ import annotations

import json
from typing import Iterator

from ..core.templates import dig, varies_between_deployments
from .model import FAILS_DEPLOY, App, Hit, Rule

# The resource types whose create fails on an existing name, and the property that names them.
NAMED_BY = {
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::DynamoDB::GlobalTable": "TableName",
}
RETAINED = ("Retain", "RetainExceptOnCreate")


def retained_fixed_names(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type(*NAMED_BY):
        if resource.get("DeletionPolicy") not in RETAINED:
            continue
        name = dig(resource, "Properties", NAMED_BY[resource["Type"]])
        if name is None or varies_between_deployments(name) or "AWS::StackId" in json.dumps(name):
            continue
        shown = name if isinstance(name, str) else "a name built from pseudo parameters"
        yield Hit(stack, logical_id, f"is retained on delete and named {shown}: the stack created again "
                                     "would create it under the same name")


def rules() -> list[Rule]:
    return [
        Rule("DR-RETAINED-NAME", FAILS_DEPLOY,
             "A resource retained on delete outlives its stack; with a fixed name, the next create of the stack asks "
             "for a name that exists and the service refuses it.",
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html",
             "Leave the name to CloudFormation, or end it in the stack's GUID "
             "(Fn::Select [2, Fn::Split ['/', Ref AWS::StackId]]), which changes with each create and never on update.",
             retained_fixed_names),
    ]
