"""VpcFunction: isolated VPC, endpoints, NAT when asked, security group, EFS, public subnets refused."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Stack, Stage
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from aws_cdk.assertions import Annotations, Match

from constructs_lib import ConfigurationError, VpcFunction
from tests.helpers import PLAIN, make_app, role_statements, template_of


def resources(stack: Stack, kind: str) -> list[dict]:
    return [r["Properties"] for r in template_of(stack).find_resources(kind).values()]


def functions_in_vpc(stack: Stack) -> list[dict]:
    """The template's functions but aws-cdk-lib's own deploy-time handlers (which run outside the VPC)."""
    return [f for f in resources(stack, "AWS::Lambda::Function") if "VpcConfig" in f]


def test_defaults_isolated_vpc_with_gateway_endpoints(stack: Stack) -> None:
    fn = VpcFunction(stack, "Fn", entry=PLAIN)
    template = template_of(stack)
    assert not resources(stack, "AWS::EC2::NatGateway")
    assert not resources(stack, "AWS::EC2::InternetGateway")
    subnets = resources(stack, "AWS::EC2::Subnet")
    assert len(subnets) == 2 and not any(s.get("MapPublicIpOnLaunch") for s in subnets)
    endpoints = resources(stack, "AWS::EC2::VPCEndpoint")
    assert {e["VpcEndpointType"] for e in endpoints} == {"Gateway"}
    services = {str(e["ServiceName"]) for e in endpoints}
    assert any("s3" in s for s in services) and any("dynamodb" in s for s in services)
    assert set(fn.endpoints) == {"S3", "DynamoDB"}
    assert resources(stack, "AWS::EC2::FlowLog")
    (function,) = functions_in_vpc(stack)
    vpc_config = function["VpcConfig"]
    assert vpc_config["SecurityGroupIds"] == [stack.resolve(fn.security_group.security_group_id)]
    assert len(vpc_config["SubnetIds"]) == 2
    (group,) = resources(stack, "AWS::EC2::SecurityGroup")
    (egress,) = group["SecurityGroupEgress"]
    assert (egress["CidrIp"], egress["IpProtocol"], egress["FromPort"], egress["ToPort"]) == ("0.0.0.0/0", "tcp", 443, 443)
    # The function may create and delete its network interfaces (inline, no AWS managed policy).
    statements = role_statements(template, stack.get_logical_id(fn.function.role.node.default_child))
    assert any(s["Action"] == "ec2:CreateNetworkInterface" for s in statements)
    assert fn.file_system is None and fn.access_point is None


def test_the_default_security_group_allows_nothing(stack: Stack) -> None:
    """Nothing the library makes uses a VPC's default group; aws-cdk-lib's custom resource empties it."""
    fn = VpcFunction(stack, "Fn", entry=PLAIN)
    template = template_of(stack)
    (restrict,) = template.find_resources("Custom::VpcRestrictDefaultSG").values()
    assert restrict["Properties"]["DefaultSecurityGroupId"] == {
        "Fn::GetAtt": [stack.get_logical_id(fn.vpc.node.default_child), "DefaultSecurityGroup"]}
    # Its handler's logs are kept one year, not for ever in a group Lambda would create.
    handler = next(f for f in resources(stack, "AWS::Lambda::Function") if "VpcConfig" not in f)
    (log_group_id,) = [k for k in template.find_resources("AWS::Logs::LogGroup")
                       if k.startswith("CustomVpcRestrictDefaultSG")]
    assert handler["LoggingConfig"] == {"LogGroup": {"Ref": log_group_id}}
    assert template.find_resources("AWS::Logs::LogGroup")[log_group_id]["Properties"]["RetentionInDays"] == 365


def test_allow_internet_adds_public_subnets_and_one_nat(stack: Stack) -> None:
    VpcFunction(stack, "Fn", entry=PLAIN, allow_internet=True)
    assert len(resources(stack, "AWS::EC2::NatGateway")) == 1
    subnets = resources(stack, "AWS::EC2::Subnet")
    public = [s for s in subnets if "Public" in str(s["Tags"])]
    (function,) = functions_in_vpc(stack)
    assert len(subnets) == 4 and len(public) == 2
    # The NAT gateway has its own address; nothing launched in a public subnet gets one by default.
    assert all(s["MapPublicIpOnLaunch"] is False for s in public)
    assert all("Private" in str(subnet) for subnet in function["VpcConfig"]["SubnetIds"])


def test_interface_endpoints_and_efs(stack: Stack) -> None:
    fn = VpcFunction(stack, "Fn", entry=PLAIN, filesystem=True, mount_path="/mnt/files",
                     interface_endpoints=[ec2.InterfaceVpcEndpointAwsService.SQS])
    interface = [e for e in resources(stack, "AWS::EC2::VPCEndpoint") if e["VpcEndpointType"] == "Interface"]
    assert len(interface) == 1 and interface[0]["PrivateDnsEnabled"] is True
    (file_system,) = resources(stack, "AWS::EFS::FileSystem")
    assert file_system["Encrypted"] is True
    assert file_system["BackupPolicy"] == {"Status": "ENABLED"}  # AWS Backup's daily automatic backups
    # Only clients that mount through a mount target may write, with IAM (no anonymous NFS access).
    assert file_system["FileSystemPolicy"]["Statement"] == [{
        "Action": ["elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"], "Effect": "Allow",
        "Principal": {"AWS": "*"}, "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}}}]
    (access_point,) = resources(stack, "AWS::EFS::AccessPoint")
    assert access_point["PosixUser"] == {"Uid": "1001", "Gid": "1001"}
    assert access_point["RootDirectory"]["Path"] == "/lambda"
    (function,) = functions_in_vpc(stack)
    assert function["FileSystemConfigs"] == [{
        "Arn": stack.resolve(fn.access_point.access_point_arn), "LocalMountPath": "/mnt/files"}]
    (egress,) = resources(stack, "AWS::EC2::SecurityGroupEgress")
    assert egress["FromPort"] == 2049 and egress["GroupId"] == stack.resolve(fn.security_group.security_group_id)


def test_a_given_vpc_and_file_system(stack: Stack) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    file_system = efs.FileSystem(stack, "Files", vpc=vpc)
    fn = VpcFunction(stack, "Fn", entry=PLAIN, vpc=vpc, filesystem=file_system)
    assert fn.vpc is vpc and fn.file_system is file_system and fn.endpoints == {}
    assert len(resources(stack, "AWS::EFS::FileSystem")) == 1
    (function,) = [f for f in resources(stack, "AWS::Lambda::Function") if "FileSystemConfigs" in f]
    private = {stack.resolve(s.subnet_id)["Ref"] for s in vpc.private_subnets}
    assert {s["Ref"] for s in function["VpcConfig"]["SubnetIds"]} == private


WHERE = re.escape("VpcFunction 'Test/Fn': ")


def test_public_subnets_are_refused(stack: Stack) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    with pytest.raises(ConfigurationError, match=WHERE + re.escape("vpc_subnets 'PUBLIC' give a function no internet")):
        VpcFunction(stack, "Fn", entry=PLAIN, vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC))
    with pytest.raises(ConfigurationError, match=re.escape("are public: a function there gets no public IP")):
        VpcFunction(stack, "Fn2", entry=PLAIN, vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnets=vpc.public_subnets))
    public_only = ec2.Vpc(stack, "PublicOnly", max_azs=2, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC)])
    with pytest.raises(ConfigurationError, match=re.escape("vpc 'Test/PublicOnly' has no private subnets")):
        VpcFunction(stack, "Fn3", entry=PLAIN, vpc=public_only)


@pytest.mark.parametrize("props, message", [
    ({"mount_path": "/data"}, "mount_path '/data' must be a folder directly under /mnt"),
    ({"mount_path": "/mnt/a/b"}, "mount_path '/mnt/a/b' must be a folder directly under /mnt"),
    ({"security_groups": []}, "security_groups 'given' are not taken"),
    ({"vpc_subnets": ec2.SubnetSelection()}, "vpc_subnets 'given' needs vpc"),
])
def test_each_rule_is_checked(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        VpcFunction(stack, "Fn", entry=PLAIN, **props)


SQS = ec2.InterfaceVpcEndpointAwsService.SQS


def interface_endpoints(stack: Stack) -> dict[str, dict]:
    return {logical_id: r["Properties"] for logical_id, r in template_of(stack).find_resources(
        "AWS::EC2::VPCEndpoint", {"Properties": {"VpcEndpointType": "Interface"}}).items()}


def ingress_from(stack: Stack, fn: VpcFunction) -> list[dict]:
    """The ingress rules of `stack` whose source is the function's security group."""
    source = stack.resolve(fn.security_group.security_group_id)
    return [rule for rule in resources(stack, "AWS::EC2::SecurityGroupIngress")
            if rule.get("SourceSecurityGroupId") == source]


def isolated_vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])


def test_functions_in_one_vpc_share_its_interface_endpoint(stack: Stack) -> None:
    """A private-DNS endpoint takes the service's DNS name for its whole VPC (PrivateLink guide): a second one for
    the same service in the same VPC fails the deploy ("conflicting DNS domain"). One endpoint, every user let in."""
    vpc = isolated_vpc(stack)
    orders = VpcFunction(stack, "Orders", entry=PLAIN, vpc=vpc, interface_endpoints=[SQS])
    billing = VpcFunction(stack, "Billing", entry=PLAIN, vpc=vpc, interface_endpoints=[SQS])
    mine = VpcFunction(stack, "Mine", entry=PLAIN, interface_endpoints=[SQS])  # in its own VPC
    shares = VpcFunction(stack, "Shares", entry=PLAIN, vpc=mine.vpc, interface_endpoints=[SQS])
    assert orders.endpoints["sqs"] is billing.endpoints["sqs"] and mine.endpoints["sqs"] is shares.endpoints["sqs"]
    # The endpoint belongs to the VPC: no function's removal or order changes it.
    assert orders.endpoints["sqs"].node.scope is vpc and mine.endpoints["sqs"].node.scope is mine.vpc
    endpoints = interface_endpoints(stack)
    assert len(endpoints) == 2 and all(e["PrivateDnsEnabled"] is True for e in endpoints.values())
    for fn in (orders, billing, mine, shares):
        (rule,) = ingress_from(stack, fn)
        (group,) = fn.endpoints["sqs"].connections.security_groups
        assert rule["GroupId"] == stack.resolve(group.security_group_id)
        assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 443, 443)


def test_an_endpoint_the_app_already_has_is_used(stack: Stack) -> None:
    vpc = isolated_vpc(stack)
    own = vpc.add_interface_endpoint("Queues", service=SQS, open=False)  # the user's, closed to the VPC
    fn = VpcFunction(stack, "Fn", entry=PLAIN, vpc=vpc, interface_endpoints=[SQS])
    assert fn.endpoints["sqs"].node.path == own.node.path and len(interface_endpoints(stack)) == 1
    (rule,) = ingress_from(stack, fn)  # the function gets in all the same
    assert rule["GroupId"] == stack.resolve(own.connections.security_groups[0].security_group_id)


def test_a_vpc_of_another_stack_holds_the_endpoint_its_functions_share() -> None:
    app = make_app()
    network, orders_stack, billing_stack = Stack(app, "Network"), Stack(app, "Orders"), Stack(app, "Billing")
    vpc = isolated_vpc(network)
    orders = VpcFunction(orders_stack, "Orders", entry=PLAIN, vpc=vpc, interface_endpoints=[SQS])
    billing = VpcFunction(billing_stack, "Billing", entry=PLAIN, vpc=vpc, interface_endpoints=[SQS])
    assert len(interface_endpoints(network)) == 1
    assert interface_endpoints(orders_stack) == {} and interface_endpoints(billing_stack) == {}
    for stack, fn in ((orders_stack, orders), (billing_stack, billing)):
        (rule,) = ingress_from(stack, fn)  # in the function's stack: the VPC's stack refers to no function
        assert "Fn::ImportValue" in rule["GroupId"]


def imported_vpc(stack: Stack) -> ec2.IVpc:
    """A VPC the app does not define, imported without its CIDR block."""
    return ec2.Vpc.from_vpc_attributes(stack, "Shared", vpc_id="vpc-0a1b2c3d4e5f60718",
                                       availability_zones=["eu-west-1a", "eu-west-1b"],
                                       isolated_subnet_ids=["subnet-0a1b2c3d4e5f60718", "subnet-0b1b2c3d4e5f60718"])


def test_an_imported_vpc_gets_one_endpoint_and_a_warning() -> None:
    """The app cannot see an endpoint made outside it: it makes one per VPC ID, says so, and lets in its own
    functions (the VPC's range is unknown)."""
    app = make_app()
    first, second = Stack(app, "First"), Stack(app, "Second")
    one = VpcFunction(first, "Fn", entry=PLAIN, vpc=imported_vpc(first), interface_endpoints=[SQS])
    other = VpcFunction(second, "Fn", entry=PLAIN, vpc=imported_vpc(second), interface_endpoints=[SQS])
    assert one.endpoints["sqs"] is other.endpoints["sqs"] and interface_endpoints(second) == {}
    (endpoint,) = interface_endpoints(first).values()
    assert endpoint["VpcId"] == "vpc-0a1b2c3d4e5f60718"
    assert second.dependencies == [first]  # the endpoint is there before the function that uses it
    assert len(ingress_from(first, one)) == len(ingress_from(second, other)) == 1
    assert not any("CidrIp" in rule for rule in resources(first, "AWS::EC2::SecurityGroupIngress"))
    warning = Match.string_like_regexp("which this app does not define: if the VPC already has one for sqs")
    assert len(Annotations.from_stack(first).find_warning("/First/Fn", warning)) == 1
    assert Annotations.from_stack(second).find_warning("*", warning) == []


def test_stages_do_not_share_endpoints() -> None:
    """A stage deploys apart from the others (often to another account): it keeps its own endpoints."""
    app = make_app()
    stacks = [Stack(Stage(app, name), "Service") for name in ("Beta", "Prod")]
    functions = [VpcFunction(s, "Fn", entry=PLAIN, vpc=imported_vpc(s), interface_endpoints=[SQS]) for s in stacks]
    assert functions[0].endpoints["sqs"] is not functions[1].endpoints["sqs"]
    assert all(len(interface_endpoints(s)) == 1 for s in stacks)
