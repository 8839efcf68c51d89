"""AlbFunction: Application Load Balancer -> listener -> Lambda target group -> function."""

from __future__ import annotations

from typing import Optional, Unpack

from aws_cdk import Aws, Duration, Stack, Token
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_elasticloadbalancingv2_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from ..core import findings
from ..core.profile import is_regulated
from ..core.validation import Checks
from ..function.failed_events import SET_BY_SYNCHRONOUS_PATTERNS, invoked_synchronously
from ..function.options import OutOfVpcFunctionOptions
from ..function.pattern_options import check_function_options
from ..function.serverless_function import ServerlessFunction
from ..observability import alarms as alarm_kit
from ..resources.buckets import LOGS_KEPT, check_expiration, log_bucket
from ..resources.vpcs import answer_public_routes, new_vpc
from ..resources.web_acls import managed_web_acl

TARGET_RESPONSE_SECONDS = 5


def _limit_invocations_to_this_account(target: lambda_.IFunction) -> None:
    """aws-cdk-lib lets any load balancer invoke a Lambda target (the target group's ARN cannot be named
    without a dependency cycle); only this account's load balancers may."""
    for child in target.node.children:
        if isinstance(child, lambda_.CfnPermission) and child.principal == "elasticloadbalancing.amazonaws.com":
            child.add_property_override("SourceAccount", Aws.ACCOUNT_ID)
            findings.skip(
                child,
                "Limited to this account's load balancers by SourceAccount, resolved at deploy time (the rule "
                "accepts a literal account only). SourceArn cannot name the target group: the target group "
                "needs this permission before it can be created, so naming it would be a dependency cycle.",
                guard=["lambda_function_public_access_prohibited_check"],
            )


class AlbFunction(Construct):
    """A function behind an Application Load Balancer: ALB -> Lambda, HTTP turned into JSON and back.

    With ``certificate`` the load balancer listens on HTTPS port 443 (TLS 1.3 and 1.2) and port 80
    redirects to it. Without one it listens on plain HTTP port 80: allowed for an internal load balancer,
    refused for an internet-facing one unless ``allow_plain_http=True`` says so. The security group opens
    only those ports (to anyone when internet-facing, to the VPC's range when internal). Access logs go
    to an encrypted, SSL-only, versioned bucket that expires them.

    Cost: a load balancer is billed by the hour whether used or not (about $16.43 a month in us-east-1),
    and an internet-facing one holds a public IPv4 address in each Availability Zone ($3.65 a month each),
    plus capacity units at work: ``python -m constructs_lib.cost`` prices it.

    Under the regulated profile (``use_profile``) it serves HTTPS only, so ``certificate`` is required; deletion
    protection is on; and an AWS WAF web ACL is associated: ``web_acl_arn``'s, else a new one with AWS's managed
    common and known-bad-inputs rule groups, its requests logged (a web ACL and two rules: about $7 a month, plus
    $0.60 per million requests; docs/regulated-profile.md).

    :param vpc: where the load balancer lives (default: a new VPC, two AZs, no NAT gateway).
    :param internet_facing: public (default) or internal load balancer.
    :param certificate: an ACM certificate for HTTPS (default: none).
    :param allow_plain_http: the explicit opt-in for an internet-facing load balancer without a
        certificate: requests and answers cross the internet unencrypted (default False).
    :param deletion_protection: the load balancer cannot be deleted until this is turned off again, which
        makes ``cdk destroy`` fail too (default False; True under the regulated profile, which refuses False).
    :param web_acl_arn: a regional AWS WAF web ACL to associate with the load balancer (default none; under the
        regulated profile, a new one).
    :param log_expiration: how long the created access log bucket keeps logs (default 365 days).
    :param multi_value_headers: the target group passes repeated headers and query parameters as
        lists (``multiValueHeaders``, ``multiValueQueryStringParameters``); the response must answer
        in the same mode or the load balancer returns 502 (default False).
    :param health_check: let the load balancer call the function for health checks on ``/``
        (default True; each check is an invocation).
    :param access_logs_bucket: where access logs go (default: a new bucket).
    :param function_options: ``entry``, ``handler`` and any other ``ServerlessFunction`` option,
        ``deployment`` included (the target group then holds the alias).

    Exposes ``load_balancer``, ``listener`` (HTTPS when there is a certificate), ``target_group``,
    ``function``, ``url``, ``vpc``, ``security_group``, ``access_logs_bucket``, ``web_acl`` (the one it made,
    else None) and ``alarms``: the
    function's, plus target 5xx answers and target response time over 5 s.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: Optional[ec2.IVpc] = None,
        internet_facing: bool = True,
        certificate: Optional[acm.ICertificate] = None,
        allow_plain_http: bool = False,
        deletion_protection: Optional[bool] = None,
        web_acl_arn: Optional[str] = None,
        log_expiration: Duration = LOGS_KEPT,
        multi_value_headers: bool = False,
        health_check: bool = True,
        access_logs_bucket: Optional[s3.IBucket] = None,
        **function_options: Unpack[OutOfVpcFunctionOptions],
    ) -> None:
        super().__init__(scope, construct_id)
        check_function_options(self, function_options, AlbFunction.__init__, SET_BY_SYNCHRONOUS_PATTERNS,
                               invoked_without_tenant_id_by="An Application Load Balancer")
        checks = Checks(self, "AlbFunction")
        region = Stack.of(self).region
        checks.require(
            not Token.is_unresolved(region), "stack region", "unresolved",
            "is needed: the access log bucket policy names the region's Elastic Load Balancing account; "
            "give the stack env=Environment(region=...)",
        )
        regulated = is_regulated(self)
        if regulated:
            checks.require(
                certificate is not None, "certificate", None,
                "is required under the regulated profile, whose listeners serve HTTPS only (cdk-nag "
                "ELBv2ACMCertificateRequired, ALBHttpToHttpsRedirection): give an ACM certificate of the stack's "
                "region (HTTPS on 443, port 80 redirects to it)",
            )
            checks.require(
                deletion_protection is not False, "deletion_protection", False,
                "is refused under the regulated profile (cdk-nag ELBDeletionProtectionEnabled): leave it unset, or "
                "choose the default profile for this scope",
            )
        checks.require(
            regulated or certificate is not None or not internet_facing or allow_plain_http, "certificate", None,
            "leaves an internet-facing load balancer serving plain HTTP to anyone: give an ACM certificate "
            "(HTTPS on 443, port 80 redirects to it), or allow_plain_http=True to confirm",
        )
        checks.require(
            not allow_plain_http or (certificate is None and internet_facing) or regulated, "allow_plain_http", True,
            "applies only to an internet-facing load balancer without a certificate",
        )
        check_expiration(checks, "log_expiration", log_expiration)
        for option in ("vpc_subnets", "security_groups", "filesystem"):
            checks.require(
                option not in function_options, option, "given",
                "does not apply: the load balancer invokes the function through Lambda's API, so it needs no "
                "VPC (use VpcFunction for a function in a VPC)",
            )
        checks.raise_if_any()
        deletion_protection = regulated if deletion_protection is None else deletion_protection
        self.vpc = vpc or new_vpc(self, "Vpc", public=True, private=not internet_facing, nat_gateways=0)
        function_options["no_failure_target"] = invoked_synchronously(
            function_options, "The load balancer", "a failed request is answered with an error status"
        )
        self.function = ServerlessFunction(self, "Function", **function_options)

        self.security_group = security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=self.vpc, allow_all_outbound=False,
            description=f"Load balancer of {self.node.path}: listener ports only",
        )
        peer = ec2.Peer.any_ipv4() if internet_facing else ec2.Peer.ipv4(self.vpc.vpc_cidr_block)
        ports = [443, 80] if certificate else [80]
        for listener_port in ports:
            security_group.add_ingress_rule(peer, ec2.Port.tcp(listener_port), f"Listener port {listener_port}")
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self, "LoadBalancer", vpc=self.vpc, internet_facing=internet_facing, security_group=security_group,
            drop_invalid_header_fields=True,
            deletion_protection=deletion_protection,
            vpc_subnets=ec2.SubnetSelection(
                subnet_type=ec2.SubnetType.PUBLIC if internet_facing else ec2.SubnetType.PRIVATE_ISOLATED
            ) if vpc is None else None,
        )
        self.access_logs_bucket = access_logs_bucket or log_bucket(
            self, "AccessLogs", expiration=log_expiration, delivery="elb")
        self.load_balancer.log_access_logs(self.access_logs_bucket, prefix="alb")

        self.target_group = elbv2.ApplicationTargetGroup(
            self, "TargetGroup",
            target_type=elbv2.TargetType.LAMBDA,
            targets=[targets.LambdaTarget(self.function.invoke_target)],
            multi_value_headers_enabled=multi_value_headers or None,
            health_check=elbv2.HealthCheck(enabled=health_check, path="/", interval=Duration.seconds(60))
            if health_check else elbv2.HealthCheck(enabled=False),
        )
        _limit_invocations_to_this_account(self.function.invoke_target)
        if certificate:
            self.listener = self.load_balancer.add_listener(
                "Https", port=443, protocol=elbv2.ApplicationProtocol.HTTPS, certificates=[certificate],
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS, default_target_groups=[self.target_group], open=False,
            )
            # Not add_redirect(): it opens port 80 to anyone, also on an internal load balancer.
            redirect = self.load_balancer.add_listener(
                "HttpRedirect", port=80, protocol=elbv2.ApplicationProtocol.HTTP, open=False,
                default_action=elbv2.ListenerAction.redirect(protocol="HTTPS", port="443", permanent=True),
            )
            if is_regulated(self):
                findings.acknowledge_control(
                    redirect, "ELBv2ACMCertificateRequired",
                    "An HTTP listener, which takes no certificate: its one action redirects every request to HTTPS "
                    "on port 443, whose listener serves the ACM certificate given.")
        else:
            self.listener = self.load_balancer.add_listener(
                "Http", port=80, protocol=elbv2.ApplicationProtocol.HTTP,
                default_target_groups=[self.target_group], open=False,
            )
        scheme = "https" if certificate else "http"
        self.url = f"{scheme}://{self.load_balancer.load_balancer_dns_name}"
        self._skip_findings(internet_facing, certificate, ports, deletion_protection)
        self.web_acl: Optional[wafv2.CfnWebACL] = None
        if web_acl_arn is None and regulated:
            self.web_acl = managed_web_acl(self, "WebAcl", what=f"the load balancer of {self.node.path}")
            web_acl_arn = self.web_acl.attr_arn
        if web_acl_arn is not None:
            wafv2.CfnWebACLAssociation(self, "WebAclAssociation", resource_arn=self.load_balancer.load_balancer_arn,
                                       web_acl_arn=web_acl_arn)
        if regulated and internet_facing and vpc is None:
            self._answer_public_routes()
        self.alarms = {**self.function.alarms, **alarm_kit.pattern_alarms(function_options, self._alarms)}
        alarm_kit.warn_if_silent(self)

    def _skip_findings(
        self, internet_facing: bool, certificate: Optional[acm.ICertificate], ports: list[int],
        deletion_protection: bool,
    ) -> None:
        if internet_facing:
            reason = (
                f"An internet-facing load balancer: only its listener ports ({', '.join(map(str, ports))}) are "
                "open to the internet, by design"
                + ("; port 80 only redirects to HTTPS." if certificate else
                   ", plain HTTP asked for with allow_plain_http=True.")
            )
            findings.acknowledge(self.security_group, "AwsSolutions-EC23", reason)
            findings.skip(self.security_group, reason, checkov=["CKV_AWS_260"])
        else:
            findings.acknowledge(
                self.security_group, "AwsSolutions-EC23",
                "An internal load balancer: its listener ports are open to the VPC's address range only, which "
                "CloudFormation resolves at deploy time (the rule cannot read it at synth).",
            )
        if certificate is None:
            findings.skip(
                self.listener,
                "Plain HTTP asked for with allow_plain_http=True: no certificate was given."
                if internet_facing else
                "An internal load balancer without a certificate: reachable only from the VPC's address range.",
                checkov=["CKV_AWS_2", "CKV_AWS_103"], guard=["alb_http_to_https_redirection_check"],
            )
        if not deletion_protection:
            findings.skip(
                self.load_balancer,
                "Deletion protection is opt-in (deletion_protection=True): with it on, deleting the stack "
                "fails until it is turned off again.",
                guard=["elbv2_deletion_protection_enabled_check"],
            )

    def _answer_public_routes(self) -> None:
        answer_public_routes(
            self.vpc, "The route of a public subnet of this internet-facing load balancer to the internet gateway: "
            "clients on the internet reach the load balancer, and it answers them, through it. Nothing else runs in "
            "these subnets (the load balancer invokes the function through Lambda's API) and they give no public "
            "addresses.")

    def _alarms(self) -> alarm_kit.Alarms:
        metrics = self.target_group.metrics
        return {
            "target_5xx": alarm_kit.any_of(
                self, "Target5xxAlarm",
                metrics.http_code_target(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=alarm_kit.PERIOD),
                "The function answered with 5xx",
            ),
            "target_response_time": alarm_kit.above(
                self, "TargetResponseTimeAlarm",
                metrics.target_response_time(period=alarm_kit.PERIOD, statistic="p99"),
                TARGET_RESPONSE_SECONDS, f"p99 response time over {TARGET_RESPONSE_SECONDS} s",
            ),
        }
