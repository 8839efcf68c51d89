"""VpcFunction: a function in private subnets, reaching AWS through VPC endpoints, optionally with EFS."""

from __future__ import annotations

import re
from typing import Optional, Sequence, Union, Unpack

from aws_cdk import Annotations, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..core.validation import Checks
from ..function.options import OutOfVpcFunctionOptions
from ..function.pattern_options import check_function_options
from ..function.serverless_function import ServerlessFunction
from ..observability import alarms as alarm_kit
from ..resources.vpc_endpoints import find_interface_endpoint, interface_endpoint
from ..resources.vpcs import PRIVATE, new_vpc

MOUNT_PATH = re.compile(r"/mnt/[A-Za-z0-9._-]+")
# The user the function's file operations run as, and the directory the access point exposes.
POSIX_ID = "1001"
IMPORTED_VPC_ENDPOINT = "constructs_lib:vpc:endpointInImportedVpc"


class VpcFunction(Construct):
    """A function in a VPC's private subnets, with its own security group.

    A function in a VPC has no internet access (no public IP address): it reaches AWS services through VPC
    endpoints. A VPC this construct creates has no NAT gateway and gateway endpoints for S3 and
    DynamoDB (free); ``interface_endpoints`` adds others (e.g. SQS, Secrets Manager; each costs by
    the hour). ``allow_internet=True`` adds public subnets and one NAT gateway instead of isolation.
    Public subnets are refused: a function there gets no public IP, hence no internet either.

    :param vpc: an existing VPC (default: a new one, two AZs, flow logs on).
    :param vpc_subnets: the function's subnets in ``vpc`` (default: its isolated subnets, or its
        private ones with egress when there are none or ``allow_internet`` is set).
    :param allow_internet: a new VPC gets public subnets and a NAT gateway; with a given VPC,
        the function goes to its private subnets with egress (default False).
    :param interface_endpoints: AWS services to reach through interface endpoints with private DNS
        (``ec2.InterfaceVpcEndpointAwsService.SQS``, ...). A VPC takes one such endpoint per service: it is
        made once, beside the VPC, and shared by every construct of the app in that VPC (one the app already
        has is used). In an imported VPC, whose own endpoints the app cannot see, give only services it has
        no endpoint for (a warning says so).
    :param filesystem: ``True`` for a new EFS file system (encrypted, automatic daily backups, no
        anonymous access, kept when the stack is deleted), or an existing ``IFileSystem``; the function
        mounts it through an access point (uid/gid 1001, directory /lambda).
    :param mount_path: where the file system appears, under /mnt (default /mnt/data).
    :param function_options: ``entry``, ``handler`` and any other ``ServerlessFunction`` option,
        ``deployment`` included.

    Exposes ``vpc``, ``security_group`` (outbound HTTPS, and NFS to the file system), ``function``,
    ``file_system`` and ``access_point`` (None without EFS), ``endpoints`` (name -> endpoint, shared or not) and
    ``alarms`` (the function's).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: Optional[ec2.IVpc] = None,
        vpc_subnets: Optional[ec2.SubnetSelection] = None,
        allow_internet: bool = False,
        interface_endpoints: Sequence[ec2.InterfaceVpcEndpointAwsService] = (),
        filesystem: Union[bool, efs.IFileSystem, None] = None,
        mount_path: str = "/mnt/data",
        **function_options: Unpack[OutOfVpcFunctionOptions],
    ) -> None:
        super().__init__(scope, construct_id)
        check_function_options(self, function_options, VpcFunction.__init__)
        checks = Checks(self, "VpcFunction")
        checks.require(
            bool(MOUNT_PATH.fullmatch(mount_path)), "mount_path", mount_path,
            "must be a folder directly under /mnt, e.g. /mnt/data (Lambda's rule)",
        )
        checks.require(
            "security_groups" not in function_options, "security_groups", "given",
            "are not taken: the construct creates the function's security group (.security_group); add rules to it",
        )
        if vpc_subnets is not None:
            checks.require(
                vpc_subnets.subnet_type != ec2.SubnetType.PUBLIC, "vpc_subnets", "PUBLIC",
                "give a function no internet access (it gets no public IP): use private subnets, "
                "with a NAT gateway if it needs the internet",
            )
            checks.require(vpc is not None, "vpc_subnets", "given", "needs vpc")
        if vpc is not None and vpc_subnets is None:
            checks.require(
                bool(vpc.isolated_subnets or vpc.private_subnets), "vpc", vpc.node.path,
                "has no private subnets: a function in public subnets gets no internet access",
            )
        if vpc is not None and vpc_subnets is not None:
            _check_not_public(checks, vpc, vpc_subnets)
        checks.raise_if_any()

        self.vpc = vpc or new_vpc(
            self, "Vpc", public=allow_internet, private=True, nat_gateways=1 if allow_internet else 0
        )
        subnets = vpc_subnets or _private_subnets(self.vpc, allow_internet)
        self.endpoints: dict[str, ec2.IVpcEndpoint] = {}
        if vpc is None:
            private = ec2.SubnetSelection(subnet_group_name=PRIVATE)
            for name, service in (("S3", ec2.GatewayVpcEndpointAwsService.S3),
                                  ("DynamoDB", ec2.GatewayVpcEndpointAwsService.DYNAMODB)):
                self.endpoints[name] = self.vpc.add_gateway_endpoint(name, service=service, subnets=[private])
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=self.vpc, allow_all_outbound=False,
            description=f"Function {self.node.path}: outbound HTTPS only",
        )
        self.security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS endpoints (and the internet through NAT)"
        )
        for service in interface_endpoints:
            self.endpoints[service.short_name] = self._interface_endpoint(service, subnets)

        self.file_system: Optional[efs.IFileSystem] = None
        self.access_point: Optional[efs.AccessPoint] = None
        mounted = None
        if filesystem:
            self.file_system = filesystem if filesystem is not True else efs.FileSystem(
                self, "FileSystem", vpc=self.vpc, vpc_subnets=subnets, encrypted=True,
                enable_automatic_backups=True,  # AWS Backup's daily backups, kept 35 days
                allow_anonymous_access=False,  # stated: aws-cdk-lib's default depends on a feature flag
                removal_policy=RemovalPolicy.RETAIN,
            )
            self.access_point = efs.AccessPoint(
                self, "AccessPoint", file_system=self.file_system, path="/lambda",
                create_acl=efs.Acl(owner_uid=POSIX_ID, owner_gid=POSIX_ID, permissions="750"),
                posix_user=efs.PosixUser(uid=POSIX_ID, gid=POSIX_ID),
            )
            mounted = lambda_.FileSystem.from_efs_access_point(self.access_point, mount_path)

        self.function = ServerlessFunction(
            self, "Function", vpc=self.vpc, vpc_subnets=subnets, security_groups=[self.security_group],
            filesystem=mounted, **function_options,
        )
        self.alarms = dict(self.function.alarms)
        alarm_kit.warn_if_silent(self)

    def _interface_endpoint(
        self, service: ec2.InterfaceVpcEndpointAwsService, subnets: ec2.SubnetSelection,
    ) -> ec2.InterfaceVpcEndpoint:
        """The VPC's one endpoint with private DNS for `service`, shared with every construct of the app that
        uses it, and open to this function's security group whatever its other rules."""
        imported = not isinstance(self.vpc, Construct)  # a reference to a VPC the app does not define
        if imported and find_interface_endpoint(self.vpc, service) is None:
            Annotations.of(self).add_warning_v2(IMPORTED_VPC_ENDPOINT, (
                f"creates an interface endpoint with private DNS for {service.short_name} in VPC {self.vpc.vpc_id}, "
                f"which this app does not define: if the VPC already has one for {service.short_name}, the deploy "
                f"fails (a conflicting DNS domain exists); leave {service.short_name} out of interface_endpoints, "
                "the VPC's own endpoint serves the function"))
        endpoint = interface_endpoint(self.vpc, service, subnets, user=self)
        for group in endpoint.connections.security_groups:  # the function's own egress allows HTTPS already
            group.add_ingress_rule(self.security_group, ec2.Port.tcp(service.port),
                                   f"{self.node.path} uses {service.short_name} through the endpoint",
                                   remote_rule=True)  # in the function's stack when the endpoint is elsewhere
        return endpoint


def _private_subnets(vpc: ec2.IVpc, allow_internet: bool) -> ec2.SubnetSelection:
    if vpc.isolated_subnets and not (allow_internet and vpc.private_subnets):
        return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)


def _check_not_public(checks: Checks, vpc: ec2.IVpc, selection: ec2.SubnetSelection) -> None:
    public = {subnet.node.path for subnet in vpc.public_subnets}
    chosen_subnets = vpc.select_subnets(
        subnets=selection.subnets, subnet_type=selection.subnet_type, subnet_group_name=selection.subnet_group_name,
        availability_zones=selection.availability_zones, one_per_az=selection.one_per_az,
        subnet_filters=selection.subnet_filters,
    ).subnets
    chosen = {subnet.node.path for subnet in chosen_subnets}
    checks.require(
        not (public & chosen), "vpc_subnets", sorted(public & chosen),
        "are public: a function there gets no public IP, hence no internet access; use private subnets",
    )
