"""What a template's values stand for locally: physical names, ARNs and URLs for the resources a template
defines (deterministic stand-ins for what CloudFormation would name them), and intrinsic functions resolved."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional, cast

from ...core.templates import Props, as_list, dig, mapping, ref_of, refs

ACCOUNT = "123456789012"


@dataclass
class Names:
    """Resolves a template's values in one stack, account and region."""

    stack: str
    template: Props
    region: str = "us-east-1"

    @property
    def resources(self) -> dict[str, Props]:
        return cast(dict[str, Props], self.template.get("Resources", {}))

    def type_of(self, logical_id: str) -> str:
        return str(dig(self.resources.get(logical_id), "Type", default=""))

    def name(self, logical_id: str) -> str:
        """The resource's name: the one its properties give, else the stack's name and its logical ID."""
        resource = self.resources.get(logical_id, {})
        kind = self.type_of(logical_id)
        given = {"AWS::S3::Bucket": "BucketName", "AWS::SQS::Queue": "QueueName", "AWS::SNS::Topic": "TopicName",
                 "AWS::DynamoDB::Table": "TableName", "AWS::DynamoDB::GlobalTable": "TableName",
                 "AWS::Lambda::Function": "FunctionName", "AWS::Kinesis::Stream": "Name"}.get(kind)
        value = dig(resource, "Properties", given) if given else None
        if value is not None:
            return self.resolve(value)
        name = f"{self.stack}-{logical_id}"
        if kind == "AWS::S3::Bucket":  # lower case, digits and hyphens, at most 63
            return re.sub(r"[^a-z0-9-]", "-", name.lower())[:63].strip("-")
        if kind == "AWS::SQS::Queue" and dig(resource, "Properties", "FifoQueue") is True:
            return f"{name[:75]}.fifo"
        return name[:80]

    def arn(self, logical_id: str) -> str:
        kind, name = self.type_of(logical_id), self.name(logical_id)
        service = kind.split("::")[1].lower() if kind.count("::") == 2 else "unknown"
        prefix = f"arn:aws:{service}:{self.region}:{ACCOUNT}"
        return {
            "AWS::S3::Bucket": f"arn:aws:s3:::{name}",
            "AWS::DynamoDB::Table": f"{prefix}:table/{name}",
            "AWS::DynamoDB::GlobalTable": f"{prefix}:table/{name}",
            "AWS::Lambda::Function": f"{prefix}:function:{name}",
            "AWS::Kinesis::Stream": f"{prefix}:stream/{name}",
            "AWS::StepFunctions::StateMachine": f"arn:aws:states:{self.region}:{ACCOUNT}:stateMachine:{name}",
            "AWS::Events::EventBus": f"{prefix}:event-bus/{name}",
            "AWS::Events::Rule": f"{prefix}:rule/{name}",
            "AWS::IAM::Role": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        }.get(kind, f"{prefix}:{name}")

    def ref(self, logical_id: str) -> str:
        pseudo = {"AWS::Region": self.region, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws",
                  "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": self.stack, "AWS::NoValue": ""}
        if logical_id in pseudo:
            return pseudo[logical_id]
        parameter = dig(self.template, "Parameters", logical_id)
        if parameter is not None:
            return str(dig(parameter, "Default", default=f"<parameter {logical_id}>"))
        kind = self.type_of(logical_id)
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{self.region}.amazonaws.com/{ACCOUNT}/{self.name(logical_id)}"
        if kind in ("AWS::SNS::Topic", "AWS::StepFunctions::StateMachine", "AWS::Lambda::LayerVersion"):
            return self.arn(logical_id)
        return self.name(logical_id)

    def attribute(self, logical_id: str, attribute: str) -> str:
        if attribute == "Arn":
            return self.arn(logical_id)
        if attribute == "StreamArn":
            return f"{self.arn(logical_id)}/stream/2025-01-01T00:00:00.000"
        if attribute in ("QueueName", "TopicName", "Name"):
            return self.name(logical_id)
        if attribute == "QueueUrl":
            return self.ref(logical_id)
        return f"{self.name(logical_id)}-{attribute.lower()}"

    def resolve(self, value: Any) -> str:
        """A template value as the text Lambda would see (intrinsic functions resolved)."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            return str(value)
        found = mapping(value)
        if found is None or len(found) != 1:
            return str(value)
        (function, argument), = found.items()
        if function == "Ref":
            return self.ref(str(argument))
        if function == "Fn::GetAtt":
            parts = as_list(argument) if isinstance(argument, list) else str(argument).split(".", 1)
            return self.attribute(str(parts[0]), str(parts[1]) if len(parts) > 1 else "Arn")
        if function == "Fn::Join":
            separator, parts = as_list(argument)
            return str(separator).join(self.resolve(part) for part in as_list(parts))
        if function == "Fn::Select":
            index, items = as_list(argument)
            return self.resolve(as_list(items)[int(index)]) if isinstance(items, list) else \
                self.resolve(items).split(",")[int(index)]
        if function == "Fn::Split":
            separator, text = as_list(argument)
            return ",".join(self.resolve(text).split(str(separator)))
        if function == "Fn::Sub":
            return self.substitute(argument)
        if function == "Fn::If":
            condition, when_true, when_false = as_list(argument)
            return self.resolve(when_true if self.holds(str(condition)) else when_false)
        return f"<{function}>"

    def holds(self, condition: str) -> bool:
        """A condition of the template, in this region (Fn::Equals, Fn::Not, Fn::And, Fn::Or)."""
        return self.truth(dig(self.template, "Conditions", condition))

    def truth(self, value: Any) -> bool:
        found = mapping(value) or {}
        (function, argument), = found.items() if len(found) == 1 else (("", None),)
        if function == "Fn::Equals":
            left, right = as_list(argument)
            return self.resolve(left) == self.resolve(right)
        if function == "Fn::Not":
            return not self.truth(as_list(argument)[0])
        if function == "Fn::And":
            return all(self.truth(part) for part in as_list(argument))
        if function == "Fn::Or":
            return any(self.truth(part) for part in as_list(argument))
        if function == "Condition":
            return self.holds(str(argument))
        return False

    def substitute(self, argument: Any) -> str:
        parts: list[Any] = [argument, {}] if isinstance(argument, str) else as_list(argument)
        text, given = str(parts[0]), cast(dict[str, Any], parts[1] if len(parts) > 1 else {})

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in given:
                return self.resolve(given[name])
            logical_id, _, attribute = name.partition(".")
            return self.attribute(logical_id, attribute) if attribute else self.ref(logical_id)

        return re.sub(r"\$\{([^}!][^}]*)\}", one, text)

    def target(self, value: Any) -> Optional[str]:
        """The logical ID a Ref or Fn::GetAtt names (also through a Lambda alias or version), else None."""
        logical_id = ref_of(value) or next(iter(sorted(refs(value))), None)
        if logical_id and self.type_of(logical_id) in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            return ref_of(dig(self.resources[logical_id], "Properties", "FunctionName")) or logical_id
        return logical_id
