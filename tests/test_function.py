"""ServerlessFunction: every default and every option, as CloudFormation sees it."""

from __future__ import annotations

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

from constructs_lib import ServerlessFunction
from tests.helpers import FIXTURES, PLAIN, make_app, template_of


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
    for absent in ("ReservedConcurrentExecutions", "Layers", "VpcConfig", "Environment", "DeadLetterConfig"):
        assert absent not in props
    log_group = only(template, "AWS::Logs::LogGroup")
    assert log_group["Properties"]["RetentionInDays"] == 30
    assert log_group["DeletionPolicy"] == "Retain"
    template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig", {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 21600}
    )
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
    for policy in template.find_resources("AWS::IAM::Policy").values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
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
    policy = only(template, "AWS::IAM::Policy")
    assert all(s["Resource"] != "*" for s in policy["Properties"]["PolicyDocument"]["Statement"])


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
    ServerlessFunction(stack, "Fn", entry=PLAIN, powertools=True)
    layer = only(template_of(stack), "AWS::Lambda::Function")["Properties"]["Layers"][0]
    assert layer == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":lambda:", {"Ref": "AWS::Region"},
        ":017000801446:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:27",
    ]]}


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
    ServerlessFunction(
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
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Action": "sns:Publish", "Resource": {"Ref": Match.string_like_regexp("^T")}})]
                )
            }
        },
    )


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
    role = "arn:aws:iam::111122223333:role/UrlClient"
    ServerlessFunction(stack, "Fn", entry=PLAIN, function_url_auth="AWS_IAM", provisioned_concurrency=1,
                       function_url_invokers=[iam.ArnPrincipal(role)])
    permission = only(template_of(stack), "AWS::Lambda::Permission")["Properties"]
    assert permission["Action"] == "lambda:InvokeFunctionUrl" and permission["FunctionUrlAuthType"] == "AWS_IAM"
    assert permission["Principal"] == role
    assert permission["FunctionName"]["Ref"].startswith("FnAlias")  # the URL lives on the alias


def test_public_function_url_when_confirmed(stack: Stack) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN, function_url_auth="NONE", allow_public_function_url=True)
    template = template_of(stack)
    template.has_resource_properties("AWS::Lambda::Url", {"AuthType": "NONE"})
    template.has_resource_properties(
        "AWS::Lambda::Permission", {"Action": "lambda:InvokeFunctionUrl", "FunctionUrlAuthType": "NONE"}
    )


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
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {"Roles": [{"Ref": Match.string_like_regexp("^FnRole")}],
         "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
             "Action": Match.array_with(["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"]),
             "Resource": "*"})])}},
    )


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
