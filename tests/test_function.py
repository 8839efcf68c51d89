"""ServerlessFunction: every default and every option, as CloudFormation sees it."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk import Duration, RemovalPolicy, Size, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match

from constructs_lib import ConfigurationError, ServerlessFunction
from tests.helpers import FIXTURES, PLAIN, make_app, role_statements, statements_of, template_of


def only(template, resource_type: str) -> dict:
    resources = template.find_resources(resource_type)
    assert len(resources) == 1, f"expected one {resource_type}, found {list(resources)}"
    return next(iter(resources.values()))


def test_defaults(stack: Stack) -> None:
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN)
    template = template_of(stack)
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "python3.14",
            "Handler": "handler.handler",
            "Architectures": ["arm64"],
            "MemorySize": 256,
            "Timeout": 10,
            "TracingConfig": {"Mode": "Active"},
            "LoggingConfig": {"LogFormat": "JSON", "LogGroup": {"Ref": Match.string_like_regexp("FnLogGroup")}},
            "RecursiveLoop": "Terminate",
            "Role": {"Fn::GetAtt": [Match.string_like_regexp("FnRole"), "Arn"]},
        },
    )
    props = only(template, "AWS::Lambda::Function")["Properties"]
    for absent in ("ReservedConcurrentExecutions", "Layers", "VpcConfig", "Environment"):
        assert absent not in props
    log_group = only(template, "AWS::Logs::LogGroup")
    assert log_group["Properties"]["RetentionInDays"] == 365  # the Control Tower controls ask for a year
    assert log_group["DeletionPolicy"] == "Retain"
    # Lambda's own asynchronous settings (2 retries, 6 hours): no EventInvokeConfig; events that fail every retry
    # go to the stack's FailedEvents queue as the function's dead-letter queue.
    template.resource_count_is("AWS::Lambda::EventInvokeConfig", 0)
    failed_events = stack.node.find_child("FailedEvents")
    assert props["DeadLetterConfig"] == {"TargetArn": stack.resolve(getattr(failed_events, "queue").queue_arn)}
    assert fn.failure_target is getattr(failed_events, "queue")
    template.resource_count_is("AWS::Lambda::Url", 0)
    template.resource_count_is("AWS::Lambda::Alias", 0)
    assert fn.url is None and fn.alias is None
    assert fn.invoke_target is fn.function


def test_role_is_its_own_and_least_privilege(stack: Stack) -> None:
    ServerlessFunction(stack, "A", entry=PLAIN)
    ServerlessFunction(stack, "B", entry=PLAIN)
    template = template_of(stack)
    roles = template.find_resources("AWS::IAM::Role")
    assert len(roles) == 2, "one execution role per function"
    for role in roles.values():
        assert "ManagedPolicyArns" not in role["Properties"], "no AWS managed policy"
        assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
            {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
        ]
    template.resource_count_is("AWS::IAM::Policy", 0)  # every statement inline in the role
    for role_id in roles:
        statements = role_statements(template, role_id)
        logs_statement = next(s for s in statements if "logs:PutLogEvents" in s["Action"])
        assert logs_statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
        # Its own log group only (the GetAtt of that group), never a wildcard.
        assert logs_statement["Resource"]["Fn::GetAtt"][1] == "Arn"
        wildcards = [s for s in statements if s["Resource"] == "*"]
        assert wildcards, "tracing is on by default"
        assert all(set(s["Action"]) == {"xray:PutTraceSegments", "xray:PutTelemetryRecords"} for s in wildcards)


def test_sizes_timeout_environment_and_key(stack: Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    ServerlessFunction(
        stack,
        "Fn",
        entry=PLAIN,
        memory_size=1769,
        timeout=Duration.minutes(15),
        ephemeral_storage_size=Size.gibibytes(10),
        environment={"TABLE": "orders"},
        environment_key=key,
        architecture=lambda_.Architecture.X86_64,
        runtime=lambda_.Runtime.PYTHON_3_13,
        log_retention=logs.RetentionDays.ONE_WEEK,
        log_removal_policy=RemovalPolicy.DESTROY,
        description="sized",
    )
    template = template_of(stack)
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "MemorySize": 1769,
            "Timeout": 900,
            "EphemeralStorage": {"Size": 10240},
            "Environment": {"Variables": {"TABLE": "orders"}},
            "KmsKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("Key"), "Arn"]},
            "Architectures": ["x86_64"],
            "Runtime": "python3.13",
            "Description": "sized",
        },
    )
    log_group = only(template, "AWS::Logs::LogGroup")
    assert log_group["Properties"]["RetentionInDays"] == 7
    assert log_group["DeletionPolicy"] == "Delete"


def test_tracing_can_be_turned_off(stack: Stack) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN, tracing=lambda_.Tracing.DISABLED)
    template = template_of(stack)
    props = only(template, "AWS::Lambda::Function")["Properties"]
    assert "TracingConfig" not in props
    (role_id,) = template.find_resources("AWS::IAM::Role")
    statements = role_statements(template, role_id)
    assert statements and all(s["Resource"] != "*" for s in statements)


def test_concurrency_and_alias(stack: Stack) -> None:
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN, reserved_concurrency=20, provisioned_concurrency=5)
    template = template_of(stack)
    template.has_resource_properties("AWS::Lambda::Function", {"ReservedConcurrentExecutions": 20})
    template.has_resource_properties(
        "AWS::Lambda::Alias",
        {"Name": "live", "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 5}},
    )
    template.resource_count_is("AWS::Lambda::Version", 1)
    assert fn.invoke_target is fn.alias


def test_powertools_layer_follows_region_runtime_and_architecture() -> None:
    app = make_app()
    stack = Stack(app, "Eu", env={"region": "eu-west-1"})
    ServerlessFunction(stack, "Arm", entry=PLAIN, powertools=True)
    ServerlessFunction(
        stack, "X86", entry=PLAIN, powertools=True, powertools_layer_version=30,
        architecture=lambda_.Architecture.X86_64, runtime=lambda_.Runtime.PYTHON_3_13,
    )
    layers = [
        fn["Properties"]["Layers"] for fn in template_of(stack).find_resources("AWS::Lambda::Function").values()
    ]
    assert sorted(layer[0] for layer in layers) == [
        "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-x86_64:30",
        "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:27",
    ]


def test_powertools_layer_in_an_environment_agnostic_stack(stack: Stack) -> None:
    """The publishing account is chosen at deploy time: the commercial one in the aws partition, else the
    region's entry of a mapping (cn-north-1 and the GovCloud regions publish from accounts of their own)."""
    ServerlessFunction(stack, "Fn", entry=PLAIN, powertools=True)
    template = template_of(stack).to_json()
    (function,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert function["Properties"]["Layers"][0] == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":lambda:", {"Ref": "AWS::Region"}, ":",
        {"Fn::If": ["PowertoolsLayerInCommercialPartition", "017000801446",
                    {"Fn::FindInMap": ["PowertoolsLayerAccounts", {"Ref": "AWS::Region"}, "account"]}]},
        ":layer:AWSLambdaPowertoolsPythonV3-python314-arm64:27",
    ]]}
    assert template["Conditions"]["PowertoolsLayerInCommercialPartition"] == {
        "Fn::Equals": [{"Ref": "AWS::Partition"}, "aws"]}
    assert template["Mappings"]["PowertoolsLayerAccounts"] == {
        "cn-north-1": {"account": "498634801083"},
        "us-gov-east-1": {"account": "165087284144"},
        "us-gov-west-1": {"account": "165093116878"},
    }


@pytest.mark.parametrize("region, arn", [
    ("cn-north-1", "arn:aws-cn:lambda:cn-north-1:498634801083:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:27"),
    ("us-gov-west-1",
     "arn:aws-us-gov:lambda:us-gov-west-1:165093116878:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:27"),
    ("us-gov-east-1",
     "arn:aws-us-gov:lambda:us-gov-east-1:165087284144:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:27"),
    ("ap-southeast-7", "arn:aws:lambda:ap-southeast-7:017000801446:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:27"),
])
def test_powertools_layer_comes_from_the_publisher_of_each_partition(region: str, arn: str) -> None:
    stack = Stack(make_app(), "S", env={"region": region})
    ServerlessFunction(stack, "Fn", entry=PLAIN, powertools=True)
    assert only(template_of(stack), "AWS::Lambda::Function")["Properties"]["Layers"] == [arn]


@pytest.mark.parametrize("region", ["cn-northwest-1", "us-iso-east-1", "eusc-de-east-1"])
def test_powertools_is_refused_where_no_layer_is_published(region: str) -> None:
    stack = Stack(make_app(), "S", env={"region": region})
    with pytest.raises(ConfigurationError, match=rf"ServerlessFunction 'S/Fn': powertools True is not available "
                                                 rf"in {region}: .*requirements.txt"):
        ServerlessFunction(stack, "Fn", entry=PLAIN, powertools=True)


def test_user_layers_and_powertools(stack: Stack) -> None:
    layer = lambda_.LayerVersion.from_layer_version_arn(
        stack, "Mine", "arn:aws:lambda:us-east-1:111111111111:layer:mine:3"
    )
    ServerlessFunction(stack, "Fn", entry=PLAIN, layers=[layer], powertools=True)
    layers = only(template_of(stack), "AWS::Lambda::Function")["Properties"]["Layers"]
    assert "arn:aws:lambda:us-east-1:111111111111:layer:mine:3" in layers
    assert len(layers) == 2


def test_destinations_of_every_kind_and_a_dead_letter_queue(stack: Stack) -> None:
    queue = sqs.Queue(stack, "Q")
    topic = sns.Topic(stack, "T")
    bus = events.EventBus(stack, "Bus")
    other = lambda_.Function.from_function_attributes(
        stack, "Other", function_arn="arn:aws:lambda:us-east-1:111111111111:function:other",
        same_environment=True,
    )
    dlq = sqs.Queue(stack, "Dlq")
    to_queue_and_topic = ServerlessFunction(
        stack, "ToQueueAndTopic", entry=PLAIN, on_success=topic, on_failure=queue, dead_letter_queue=dlq,
        retry_attempts=0, max_event_age=Duration.minutes(1),
    )
    ServerlessFunction(stack, "ToBusAndFunction", entry=PLAIN, on_success=bus, on_failure=other)
    template = template_of(stack)
    template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {
            "MaximumRetryAttempts": 0,
            "MaximumEventAgeInSeconds": 60,
            "DestinationConfig": {
                "OnSuccess": {"Destination": {"Ref": Match.string_like_regexp("^T")}},
                "OnFailure": {"Destination": {"Fn::GetAtt": [Match.string_like_regexp("^Q"), "Arn"]}},
            },
        },
    )
    template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {
            "DestinationConfig": {
                "OnSuccess": {"Destination": {"Fn::GetAtt": [Match.string_like_regexp("^Bus"), "Arn"]}},
                "OnFailure": {"Destination": "arn:aws:lambda:us-east-1:111111111111:function:other"},
            },
        },
    )
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"DeadLetterConfig": {"TargetArn": {"Fn::GetAtt": [Match.string_like_regexp("^Dlq"), "Arn"]}}},
    )
    # The role may send to its destinations, and nothing else of theirs.
    statements = statements_of(stack, to_queue_and_topic.role)
    assert [s["Resource"] for s in statements if s["Action"] == "sns:Publish"] == [stack.resolve(topic.topic_arn)]


def test_imported_resources_are_accepted_by_interface(stack: Stack) -> None:
    queue = sqs.Queue.from_queue_arn(stack, "Imported", "arn:aws:sqs:us-east-1:111111111111:failures")
    ServerlessFunction(stack, "Fn", entry=PLAIN, on_failure=queue, dead_letter_queue=queue)
    template_of(stack).has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {"DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:111111111111:failures"}}},
    )


def test_function_url_iam_with_cors(stack: Stack) -> None:
    fn = ServerlessFunction(
        stack, "Fn", entry=PLAIN, function_url_auth="AWS_IAM",
        function_url_cors=lambda_.FunctionUrlCorsOptions(allowed_origins=["https://example.com"]),
    )
    template = template_of(stack)
    template.has_resource_properties(
        "AWS::Lambda::Url",
        {"AuthType": "AWS_IAM", "Cors": Match.object_like({"AllowOrigins": ["https://example.com"]})},
    )
    assert fn.url is not None
    template.resource_count_is("AWS::Lambda::Permission", 0)  # IAM auth: no public invoke permission


def test_another_accounts_role_may_call_the_iam_url(stack: Stack) -> None:
    """URLs created since October 2025 need lambda:InvokeFunctionUrl and lambda:InvokeFunction (through
    the URL) for each caller, or the caller gets 403 (Lambda developer guide, "Control access to function URLs")."""
    role = "arn:aws:iam::111122223333:role/UrlClient"
    ServerlessFunction(stack, "Fn", entry=PLAIN, function_url_auth="AWS_IAM", provisioned_concurrency=1,
                       function_url_invokers=[iam.ArnPrincipal(role)])
    permissions = sorted(
        (p["Properties"] for p in template_of(stack).find_resources("AWS::Lambda::Permission").values()),
        key=lambda p: p["Action"],
    )
    assert [p["Action"] for p in permissions] == ["lambda:InvokeFunction", "lambda:InvokeFunctionUrl"]
    invoke, invoke_url = permissions
    assert invoke["InvokedViaFunctionUrl"] is True and "FunctionUrlAuthType" not in invoke
    assert invoke_url["FunctionUrlAuthType"] == "AWS_IAM" and "InvokedViaFunctionUrl" not in invoke_url
    for permission in permissions:
        assert permission["Principal"] == role
        assert permission["FunctionName"]["Ref"].startswith("FnAlias")  # the URL lives on the alias


def test_public_function_url_when_confirmed(stack: Stack) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN, function_url_auth="NONE", allow_public_function_url=True)
    template = template_of(stack)
    template.has_resource_properties("AWS::Lambda::Url", {"AuthType": "NONE"})
    template.has_resource_properties(
        "AWS::Lambda::Permission",
        {"Action": "lambda:InvokeFunctionUrl", "FunctionUrlAuthType": "NONE", "Principal": "*"},
    )
    template.has_resource_properties(
        "AWS::Lambda::Permission", {"Action": "lambda:InvokeFunction", "InvokedViaFunctionUrl": True, "Principal": "*"}
    )
    # The public opt-in is the reason the scanners' public-access checks do not apply.
    url = only(template, "AWS::Lambda::Url")
    assert [s["id"] for s in url["Metadata"]["checkov"]["skip"]] == ["CKV_AWS_258"]
    assert "allow_public_function_url=True" in url["Metadata"]["checkov"]["skip"][0]["comment"]


def test_asynchronous_settings_follow_the_alias_triggers_invoke(stack: Stack) -> None:
    """With an alias, triggers invoke the alias: its own EventInvokeConfig must carry the retries, the age
    and the destinations, or alias invocations run with Lambda's defaults and failures are lost."""
    failures = sqs.Queue(stack, "Failures")
    ServerlessFunction(stack, "Fn", entry=PLAIN, provisioned_concurrency=1, retry_attempts=1,
                       max_event_age=Duration.hours(1), on_failure=failures)
    configs = template_of(stack).find_resources("AWS::Lambda::EventInvokeConfig")
    qualifiers = {}
    for config in configs.values():
        props = config["Properties"]
        assert props["MaximumRetryAttempts"] == 1 and props["MaximumEventAgeInSeconds"] == 3600
        assert props["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0].startswith("Failures")
        qualifiers[json.dumps(props["Qualifier"])] = props
    assert '"$LATEST"' in qualifiers
    (alias_qualifier,) = [q for q in qualifiers if q != '"$LATEST"']
    assert "FnAlias" in alias_qualifier  # the alias's own name, read from the alias: created after it


def test_function_url_on_the_alias(stack: Stack) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN, provisioned_concurrency=1, function_url_auth="AWS_IAM")
    url = only(template_of(stack), "AWS::Lambda::Url")["Properties"]
    assert url["Qualifier"] == "live"


def test_vpc_placement(stack: Stack) -> None:
    vpc = ec2.Vpc(stack, "Vpc", nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    ])
    group = ec2.SecurityGroup(stack, "Sg", vpc=vpc)
    ServerlessFunction(stack, "Fn", entry=PLAIN, vpc=vpc, security_groups=[group])
    template = template_of(stack)
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"VpcConfig": {"SecurityGroupIds": [{"Fn::GetAtt": [Match.string_like_regexp("^Sg"), "GroupId"]}],
                       "SubnetIds": Match.any_value()}},
    )
    role = next(r for r in template.find_resources("AWS::IAM::Role").values()
                if r["Properties"].get("Description") == "Execution role of Test/Fn")
    assert "ManagedPolicyArns" not in role["Properties"]


def test_network_interface_permissions_are_on_the_narrowest_resources(stack: Stack) -> None:
    """Only the Describe actions, which support no resource-level permissions, are allowed on '*'; the
    interface actions name this account's interfaces, and creation the function's own subnets."""
    vpc = ec2.Vpc(stack, "Vpc", nat_gateways=0, max_azs=2, subnet_configuration=[
        ec2.SubnetConfiguration(name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    ])
    ServerlessFunction(stack, "Fn", entry=PLAIN, vpc=vpc, tracing=lambda_.Tracing.DISABLED)
    template = template_of(stack)
    (role_id,) = [k for k, r in template.find_resources("AWS::IAM::Role").items()
                  if r["Properties"].get("Description") == "Execution role of Test/Fn"]
    statements = role_statements(template, role_id)
    by_action = {action: s["Resource"] for s in statements
                 for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert by_action["ec2:DescribeNetworkInterfaces"] == "*" and by_action["ec2:DescribeSubnets"] == "*"
    interfaces = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ec2:", {"Ref": "AWS::Region"}, ":",
                                    {"Ref": "AWS::AccountId"}, ":network-interface/*"]]}
    for action in ("ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"):
        assert by_action[action] == interfaces
    created_on = by_action["ec2:CreateNetworkInterface"]
    assert interfaces in created_on
    assert {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ec2:", {"Ref": "AWS::Region"},
                              ":*:security-group/*"]]} in created_on
    subnets = [r for r in created_on if ":*:subnet/" in str(r)]
    assert [r["Fn::Join"][1][-1] for r in subnets] == [
        {"Ref": subnet} for subnet in sorted(template.find_resources("AWS::EC2::Subnet"))]
    assert all(r != "*" for s in statements if "ec2:CreateNetworkInterface" in s["Action"] for r in s["Resource"])


def test_container_image(stack: Stack) -> None:
    repo = ecr.Repository.from_repository_name(stack, "Repo", "thumbnails")
    ServerlessFunction(stack, "Fn", image=lambda_.Code.from_ecr_image(repo, tag_or_digest="v1"))
    props = only(template_of(stack), "AWS::Lambda::Function")["Properties"]
    assert props["PackageType"] == "Image"
    assert "Handler" not in props and "Runtime" not in props
    assert "thumbnails:v1" in str(props["Code"]["ImageUri"])


def test_handler_in_a_package(stack: Stack) -> None:
    ServerlessFunction(stack, "Fn", entry=FIXTURES / "nested", handler="pkg.app.main")
    template_of(stack).has_resource_properties("AWS::Lambda::Function", {"Handler": "pkg.app.main"})


def test_a_log_group_key_lets_cloudwatch_logs_use_it(stack: Stack) -> None:
    """CloudWatch Logs checks the key's policy when it creates the group: without the statement the
    deployment fails."""
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    ServerlessFunction(stack, "Fn", entry=PLAIN, log_encryption_key=key)
    template = template_of(stack)
    log_group = only(template, "AWS::Logs::LogGroup")
    assert log_group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [stack.get_logical_id(key.node.default_child), "Arn"]}
    assert "Metadata" not in log_group or "checkov" not in log_group["Metadata"]  # nothing left to explain
    (key_resource,) = template.find_resources("AWS::KMS::Key").values()
    (logs_statement,) = [s for s in key_resource["Properties"]["KeyPolicy"]["Statement"]
                         if "logs." in json.dumps(s.get("Principal"))]
    assert logs_statement["Principal"] == {"Service": {"Fn::Join": ["", ["logs.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}}
    assert "kms:GenerateDataKey*" in logs_statement["Action"] and "kms:Decrypt*" in logs_statement["Action"]
    assert logs_statement["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":logs:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
        ":log-group:*"]]}


def test_scanner_checks_that_do_not_apply_are_answered_with_a_reason(stack: Stack) -> None:
    failures = sqs.Queue(stack, "Failures")
    ServerlessFunction(stack, "Fn", entry=PLAIN, environment={"TABLE": "orders"}, on_failure=failures)
    function = only(template_of(stack), "AWS::Lambda::Function")
    skipped = {s["id"]: s["comment"] for s in function["Metadata"]["checkov"]["skip"]}
    assert set(skipped) == {"CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173"}
    assert "opt-in" in skipped["CKV_AWS_115"] and "on_failure" in skipped["CKV_AWS_116"]
    assert function["Metadata"]["cfn-lint"] == {"config": {"ignore_checks": ["WS1004"]}}


def test_choices_that_answer_a_check_leave_nothing_to_explain(stack: Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    dlq = sqs.Queue(stack, "Dlq")
    ServerlessFunction(stack, "Fn", entry=PLAIN, environment={"TABLE": "orders"}, environment_key=key,
                       reserved_concurrency=5, dead_letter_queue=dlq)
    skipped = {s["id"] for s in only(template_of(stack), "AWS::Lambda::Function")["Metadata"]["checkov"]["skip"]}
    assert skipped == {"CKV_AWS_117"}


@pytest.mark.parametrize("version, architecture, runtime, name", [
    ("latest", lambda_.Architecture.ARM_64, lambda_.Runtime.PYTHON_3_14, "arm64/python3.14/latest"),
    ("3.23.0", lambda_.Architecture.X86_64, lambda_.Runtime.PYTHON_3_12, "x86_64/python3.12/3.23.0"),
])
def test_powertools_layer_resolved_at_deploy_time_from_its_ssm_parameter(version, architecture, runtime, name) -> None:
    stack = Stack(make_app(), "S", env={"region": "eu-west-1"})
    ServerlessFunction(stack, "A", entry=PLAIN, powertools=True, powertools_layer_version=version,
                       architecture=architecture, runtime=runtime)
    ServerlessFunction(stack, "B", entry=PLAIN, powertools=True, powertools_layer_version=version,
                       architecture=architecture, runtime=runtime)
    template = template_of(stack).to_json()
    (parameter_id,) = [key for key, value in template["Parameters"].items()
                       if value["Default"] == f"/aws/service/powertools/python/{name}"]
    assert template["Parameters"][parameter_id]["Type"] == "AWS::SSM::Parameter::Value<String>"
    functions = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert [f["Properties"]["Layers"] for f in functions] == [[{"Ref": parameter_id}]] * 2
    assert "Mappings" not in template  # no pinned ARN, no publisher account


def test_powertools_ssm_parameter_in_an_environment_agnostic_stack(stack: Stack) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN, powertools=True, powertools_layer_version="latest")
    template = template_of(stack).to_json()
    assert {"/aws/service/powertools/python/arm64/python3.14/latest"} <= {
        parameter["Default"] for parameter in template["Parameters"].values()}


@pytest.mark.parametrize("region, version, message", [
    ("cn-north-1", "latest", "powertools_layer_version 'latest' cannot be resolved in cn-north-1: Powertools writes "
                             "its SSM parameters in 30 commercial regions only"),
    ("us-gov-west-1", "3.23.0", "powertools_layer_version '3.23.0' cannot be resolved in us-gov-west-1"),
    ("ap-southeast-6", "latest", "powertools_layer_version 'latest' cannot be resolved in ap-southeast-6"),
    ("eu-west-1", "3.23", "powertools_layer_version '3.23' must be 'latest' or a Powertools v3 release written X.Y.Z"),
    ("eu-west-1", "2.43.1", "powertools_layer_version '2.43.1' must be 'latest' or a Powertools v3 release"),
    ("eu-west-1", "Latest", "powertools_layer_version 'Latest' must be 'latest' or"),
    ("eu-west-1", 0, "powertools_layer_version 0 must be a layer version of 1 or more"),
    ("eu-west-1", 27.0, "powertools_layer_version 27.0 must be a layer version (int), 'latest' or a Powertools release"),
])
def test_powertools_versions_are_checked(region: str, version, message: str) -> None:
    stack = Stack(make_app(), "S", env={"region": region})
    with pytest.raises(ConfigurationError, match=re.escape(f"ServerlessFunction 'S/Fn': {message}")):
        ServerlessFunction(stack, "Fn", entry=PLAIN, powertools=True, powertools_layer_version=version)


def test_a_powertools_version_needs_powertools(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match=re.escape("powertools_layer_version 'latest' needs powertools=True")):
        ServerlessFunction(stack, "Fn", entry=PLAIN, powertools_layer_version="latest")


@pytest.mark.parametrize("region", ["cn-north-1", "us-gov-east-1"])
def test_a_pinned_powertools_version_works_where_no_ssm_parameter_is_written(region: str) -> None:
    stack = Stack(make_app(), "S", env={"region": region})
    ServerlessFunction(stack, "Fn", entry=PLAIN, powertools=True, powertools_layer_version=30)
    (layer_arn,) = only(template_of(stack), "AWS::Lambda::Function")["Properties"]["Layers"]
    assert layer_arn.endswith(":layer:AWSLambdaPowertoolsPythonV3-python314-arm64:30")


def test_snap_start_publishes_versions_and_triggers_invoke_the_alias(stack: Stack) -> None:
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN, snap_start=True)
    other = Stack(make_app(), "Retried")
    ServerlessFunction(other, "Fn", entry=PLAIN, snap_start=True, retry_attempts=1)
    template = template_of(stack)
    props = only(template, "AWS::Lambda::Function")["Properties"]
    assert props["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    template.resource_count_is("AWS::Lambda::Version", 1)
    assert fn.alias is not None and fn.invoke_target is fn.alias
    # Lambda's own settings: the dead-letter queue is the function's configuration, which each version publishes.
    template.resource_count_is("AWS::Lambda::EventInvokeConfig", 0)
    assert "DeadLetterConfig" in props
    # Settings of its own: the alias carries them too, as it is what triggers invoke.
    qualifiers = [json.dumps(config["Properties"]["Qualifier"])
                  for config in template_of(other).find_resources("AWS::Lambda::EventInvokeConfig").values()]
    assert '"$LATEST"' in qualifiers and any("FnAlias" in qualifier for qualifier in qualifiers)


def test_no_snap_start_by_default(stack: Stack) -> None:
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN)
    assert "SnapStart" not in only(template_of(stack), "AWS::Lambda::Function")["Properties"]
    assert fn.alias is None


@pytest.mark.parametrize("options, configs", [
    ({}, 0),  # Lambda's own: 2 retries, 6 hours, no destination
    ({"retry_attempts": 0}, 1),
    ({"max_event_age": Duration.hours(1)}, 1),
    ({"deployment": None, "provisioned_concurrency": 1}, 0),  # nor on the alias
    ({"retry_attempts": 1, "provisioned_concurrency": 1}, 2),  # $LATEST's and the alias's
])
def test_an_event_invoke_config_only_where_it_differs_from_lambdas_own(stack: Stack, options, configs) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN, no_failure_target="Only an API invokes it.", **options)
    template_of(stack).resource_count_is("AWS::Lambda::EventInvokeConfig", configs)


def test_a_failure_destination_keeps_its_event_invoke_config(stack: Stack) -> None:
    # Settings other than Lambda's own: the stack's FailedEvents queue is its on-failure destination.
    ServerlessFunction(stack, "Fn", entry=PLAIN, retry_attempts=2, max_event_age=Duration.hours(1))
    template_of(stack).has_resource_properties("AWS::Lambda::EventInvokeConfig", {
        "MaximumRetryAttempts": 2, "DestinationConfig": {"OnFailure": Match.any_value()}})
