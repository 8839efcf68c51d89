"""What log delivery (S3 server access logs, load balancers, CloudFront) and CodeDeploy need, and the
CloudFormation quotas cfn-lint does not check."""

from __future__ import annotations

from typing import Iterator, Optional

from aws_cdk.region_info import RegionInfo

from ..core.templates import Props, as_list, dig, mapping, ref_of
from .model import DROPS_SILENTLY, FAILS_DEPLOY, App, Hit, Rule, Stack
from .policies import allows, resource_policies, role_fully_known, role_statements
from .targets import lambda_target

MAX_DEPLOYMENT_ALARMS = 10
# Regions whose buckets CloudFront does not deliver standard logs to.
CLOUDFRONT_NO_LOG_REGIONS = {"af-south-1", "ap-east-1", "eu-south-1", "me-south-1"}
MAX_PARAMETERS = MAX_MAPPINGS = 200  # cfn-lint checks resources, outputs and mapping attributes


def _ownership(stack: Stack, bucket: str) -> str:
    rules = dig(stack.props(bucket), "OwnershipControls", "Rules", default=[])
    # A bucket created since April 2023 without OwnershipControls has ACLs disabled.
    owners = (dig(rule, "ObjectOwnership") for rule in as_list(rules))
    return next((owner for owner in owners if isinstance(owner, str)), "BucketOwnerEnforced")


def _encryption(stack: Stack, bucket: str) -> str:
    rules = dig(stack.props(bucket), "BucketEncryption", "ServerSideEncryptionConfiguration", default=[])
    return str(next((dig(rule, "ServerSideEncryptionByDefault", "SSEAlgorithm", default="AES256")
                     for rule in as_list(rules)), "AES256"))


def s3_access_log_targets(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::S3::Bucket"):
        target = ref_of(dig(resource, "Properties", "LoggingConfiguration", "DestinationBucketName"))
        if target is None or stack.type_of(target) != "AWS::S3::Bucket":
            continue
        if _encryption(stack, target) != "AES256":
            yield Hit(stack, logical_id, f"logs its access to {target}, whose default encryption is SSE-KMS")
        if dig(stack.props(target), "ObjectLockConfiguration", "Rule", "DefaultRetention"):
            yield Hit(stack, logical_id, f"logs its access to {target}, which has an Object Lock default retention")
        policy = resource_policies(stack, "AWS::S3::BucketPolicy", "Bucket", target)
        by_policy = any(allows(s, "s3:PutObject", "logging.s3.amazonaws.com") for s in policy)
        by_acl = stack.props(target).get("AccessControl") == "LogDeliveryWrite" and \
            _ownership(stack, target) != "BucketOwnerEnforced"
        if not (by_policy or by_acl):
            yield Hit(stack, logical_id, f"logs its access to {target}, whose policy does not let "
                                         "logging.s3.amazonaws.com s3:PutObject")


def _load_balancer_log_bucket(resource: Props) -> Optional[str]:
    listed = as_list(dig(resource, "Properties", "LoadBalancerAttributes"))
    attributes = {dig(attribute, "Key"): dig(attribute, "Value") for attribute in listed}
    if str(attributes.get("access_logs.s3.enabled", "false")).lower() != "true":
        return None
    return ref_of(attributes.get("access_logs.s3.bucket"))


def load_balancer_log_buckets(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        if dig(resource, "Properties", "Type", default="application") != "application":
            continue  # network load balancers deliver through CloudWatch Logs' log delivery, with its own policy
        bucket = _load_balancer_log_bucket(resource)
        if bucket is None or stack.type_of(bucket) != "AWS::S3::Bucket":
            continue
        if _encryption(stack, bucket) != "AES256":
            yield Hit(stack, logical_id, f"sends access logs to {bucket}, encrypted with SSE-KMS")
        policy = resource_policies(stack, "AWS::S3::BucketPolicy", "Bucket", bucket)
        if not any(allows(s, "s3:PutObject") and _names_elb(s, stack.region) for s in policy):
            yield Hit(stack, logical_id, f"sends access logs to {bucket}, whose policy does not let Elastic Load "
                                         "Balancing write")


def _names_elb(statement: Props, region: str | None) -> bool:
    principal = mapping(statement.get("Principal", {}))
    if principal is None:
        return statement.get("Principal") == "*"
    if "logdelivery.elasticloadbalancing.amazonaws.com" in as_list(principal.get("Service")):
        return True
    accounts = {RegionInfo.get(region).elbv2_account} if region else {
        r.elbv2_account for r in RegionInfo.regions if r.elbv2_account}
    text = str(principal.get("AWS"))
    return any(account and account in text for account in accounts)


def cloudfront_log_buckets(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::CloudFront::Distribution"):
        bucket = ref_of(dig(resource, "Properties", "DistributionConfig", "Logging", "Bucket"))
        if bucket is None:
            continue
        if stack.type_of(bucket) == "AWS::S3::Bucket" and _ownership(stack, bucket) == "BucketOwnerEnforced":
            yield Hit(stack, logical_id, f"sends standard logs to {bucket}, whose ACLs are disabled "
                                         "(ObjectOwnership BucketOwnerEnforced)")
        if stack.type_of(bucket) == "AWS::S3::Bucket" and stack.region in CLOUDFRONT_NO_LOG_REGIONS:
            yield Hit(stack, logical_id, f"sends standard logs to {bucket}, in {stack.region}, where CloudFront does "
                                         "not deliver them")


def deployment_group_alarms(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::CodeDeploy::DeploymentGroup"):
        alarms = as_list(dig(resource, "Properties", "AlarmConfiguration", "Alarms"))
        if len(alarms) > MAX_DEPLOYMENT_ALARMS:
            yield Hit(stack, logical_id, f"has {len(alarms)} alarms")


def hooks_may_report(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::Lambda::Alias"):
        update = dig(resource, "UpdatePolicy", "CodeDeployLambdaAliasUpdate")
        for key in ("BeforeAllowTrafficHook", "AfterAllowTrafficHook"):
            target = lambda_target(stack, dig(update, key))
            role = ref_of(stack.props(target.function).get("Role")) if target else None
            if target is None or role is None or stack.type_of(role) != "AWS::IAM::Role" \
                    or not role_fully_known(stack, role):
                continue
            if not any(allows(s, "codedeploy:PutLifecycleEventHookExecutionStatus")
                       for s in role_statements(stack, role)):
                yield Hit(stack, target.function, f"is the {key} of {logical_id}, but its role {role} may not call "
                                                  "codedeploy:PutLifecycleEventHookExecutionStatus")


def template_quotas(app: App) -> Iterator[Hit]:
    for stack in app.stacks:
        parameters = stack.template.get("Parameters", {})
        mappings = stack.template.get("Mappings", {})
        if len(parameters) > MAX_PARAMETERS:
            yield Hit(stack, None, f"the template has {len(parameters)} parameters")
        if len(mappings) > MAX_MAPPINGS:
            yield Hit(stack, None, f"the template has {len(mappings)} mappings")


def rules() -> list[Rule]:
    return [
        Rule("DR-LOGS-S3-ACCESS", DROPS_SILENTLY,
             "S3 delivers server access logs only to a bucket that lets logging.s3.amazonaws.com write (or has the "
             "LogDeliveryWrite ACL with ACLs enabled), is not encrypted with SSE-KMS and has no Object Lock default "
             "retention.",
             "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html",
             "Add the bucket policy statement for logging.s3.amazonaws.com and use SSE-S3 on the log bucket.",
             s3_access_log_targets),
        Rule("DR-LOGS-ELB", FAILS_DEPLOY,
             "A load balancer's access logs need a bucket whose policy lets the region's Elastic Load Balancing "
             "account (or logdelivery.elasticloadbalancing.amazonaws.com) write, encrypted with SSE-S3.",
             "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
             "Use load_balancer.log_access_logs(bucket), which writes the policy, on an SSE-S3 bucket.",
             load_balancer_log_buckets),
        Rule("DR-LOGS-CLOUDFRONT", FAILS_DEPLOY,
             "CloudFront's standard logs are written with an ACL grant: the bucket must have ACLs enabled, and be "
             "outside af-south-1, ap-east-1, eu-south-1 and me-south-1.",
             "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html",
             "Give the log bucket object_ownership=OBJECT_WRITER (or BUCKET_OWNER_PREFERRED), in another region if "
             "need be.", cloudfront_log_buckets),
        Rule("DR-CODEDEPLOY-ALARMS", FAILS_DEPLOY,
             "A CodeDeploy deployment group takes at most 10 alarms.",
             "https://docs.aws.amazon.com/codedeploy/latest/userguide/limits.html",
             "Combine alarms in a composite alarm.", deployment_group_alarms),
        Rule("DR-CODEDEPLOY-HOOK", FAILS_DEPLOY,
             "A lifecycle hook must report its status with codedeploy:PutLifecycleEventHookExecutionStatus; a hook "
             "that cannot holds the deployment for an hour, then it fails and rolls back.",
             "https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html",
             "Grant the hook's role codedeploy:PutLifecycleEventHookExecutionStatus (LambdaDeploymentGroup's "
             "pre_hook/post_hook do).", hooks_may_report),
        Rule("DR-CFN-QUOTAS", FAILS_DEPLOY,
             "A template holds at most 200 parameters and 200 mappings.",
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html",
             "Split the stack, or move values into SSM parameters.", template_quotas),
    ]
