"""The regulated profile's buckets and load balancer: data buckets encrypted with the stack's key (what writes and
reads them may use it), backed up unless their data is made again; log buckets answered where their delivery rules
out a key or their own logs; HTTPS, a redirect, a web ACL and deletion protection on the load balancer. The default
profile is unchanged; the real compliance packs no longer report what the profile meets or answers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Environment, Stack, Validations
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_s3 as s3
from cdk_nag import HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks

from constructs_lib import (
    AlbFunction, ConfigurationError, EdgeDistribution, EdgeHandler, FanOut, FirehoseTransform, ThumbnailPipeline,
    use_profile,
)
from tests.helpers import PLAIN, make_app, template_of

CERTIFICATE = "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
WEB_ACL = "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/mine/00000000-0000-0000-0000-000000000000"
REWRITE = "function handler(event) { return event.request; }"


def in_profile(profile: str, **context: Any) -> Stack:
    """A stack built the `profile` way, in an app told the account's concurrency quota (which the profile needs)."""
    stack = Stack(make_app(**{"constructs_lib:concurrency-quota": 1000, **context}), "Test",
                  env=Environment(region="us-east-1"))
    use_profile(stack, profile)
    return stack


def resources(stack: Stack, kind: str) -> dict[str, dict]:
    return template_of(stack).find_resources(kind)


def role_policies(stack: Stack, role_id: str) -> dict[str, dict]:
    """The policies attached to a role: managed ones, under the regulated profile (IAMNoInlinePolicy)."""
    return {k: p for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") for k, p in resources(stack, kind).items()
            if {"Ref": role_id} in p["Properties"].get("Roles", [])}


def encryption(bucket: dict) -> dict:
    (rule,) = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    return rule


def the_key(stack: Stack) -> str:
    (key_id,) = resources(stack, "AWS::KMS::Key")
    return key_id


def statements_of(policies: dict[str, dict]) -> list[dict]:
    return [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]


def actions(statement: dict) -> list[str]:
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


# Buckets


def test_regulated_data_buckets_are_encrypted_with_the_stacks_key_and_an_s3_bucket_key() -> None:
    stack = in_profile("regulated")
    pipeline = ThumbnailPipeline(stack, "Thumbs")
    key = {"Fn::GetAtt": [the_key(stack), "Arn"]}
    for bucket in (pipeline.source_bucket, pipeline.thumbnail_bucket):
        rule = encryption(resources(stack, "AWS::S3::Bucket")[stack.get_logical_id(bucket.node.default_child)])
        assert rule == {"BucketKeyEnabled": True, "ServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
    # The function reads uploads and writes thumbnails: S3 asks KMS for it, under the function's role.
    role_id = stack.get_logical_id(pipeline.function.role.node.default_child)
    policies = role_policies(stack, role_id)
    uses = [s for s in statements_of(policies) if any(a.startswith("kms:") for a in actions(s))]
    # Decrypt to read an upload, a data key to put a thumbnail (one PUT): nothing more, on the stack's key only.
    assert {a for s in uses for a in actions(s)} == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert all(s["Resource"] == key for s in uses)


def test_the_default_profile_keeps_sse_s3_and_makes_no_key_and_no_backups() -> None:
    stack = in_profile("default")
    ThumbnailPipeline(stack, "Thumbs")
    FanOut(stack, "Fan")
    for bucket in resources(stack, "AWS::S3::Bucket").values():
        assert encryption(bucket) == {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    assert len(resources(stack, "AWS::KMS::Key")) == 1  # the fan-out topic's own key, as before
    assert resources(stack, "AWS::Backup::BackupSelection") == {}


def test_source_buckets_join_the_backup_plan_with_the_s3_policies_and_thumbnails_do_not() -> None:
    stack = in_profile("regulated")
    pipeline = ThumbnailPipeline(stack, "Thumbs")
    source_id = stack.get_logical_id(pipeline.source_bucket.node.default_child)
    buckets = resources(stack, "AWS::S3::Bucket")
    selections = [s for s in resources(stack, "AWS::Backup::BackupSelection").values()
                  if s["Properties"]["BackupSelection"]["Resources"][0]["Fn::GetAtt"][0] in buckets]
    (selection,) = selections  # the source bucket's; the thumbnails are made again from it (the table joins too)
    assert selection["Properties"]["BackupSelection"]["Resources"] == [{"Fn::GetAtt": [source_id, "Arn"]}]
    # AWS Backup for S3 backs up only versioned buckets, with the S3 backup and restore policies on its role.
    assert buckets[source_id]["Properties"]["VersioningConfiguration"] == {
        "Status": "Enabled"}
    role_id = selection["Properties"]["BackupSelection"]["IamRoleArn"]["Fn::GetAtt"][0]
    policies = json.dumps(resources(stack, "AWS::IAM::Role")[role_id]["Properties"]["ManagedPolicyArns"])
    for name in ("service-role/AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForS3Backup",
                 "AWSBackupServiceRolePolicyForS3Restore"):
        assert f":iam::aws:policy/{name}\"" in policies


def test_firehose_writes_its_regulated_bucket_with_the_stacks_key() -> None:
    stack = in_profile("regulated")
    clicks = FirehoseTransform(stack, "Clicks", entry=PLAIN)
    key = {"Fn::GetAtt": [the_key(stack), "Arn"]}
    (stream,) = resources(stack, "AWS::KinesisFirehose::DeliveryStream").values()
    config = stream["Properties"]["ExtendedS3DestinationConfiguration"]["EncryptionConfiguration"]
    assert config == {"KMSEncryptionConfig": {"AWSKMSKeyARN": key}}
    role_id = stack.get_logical_id(clicks.role.node.default_child)
    policies = role_policies(stack, role_id)
    (kms,) = [s for s in statements_of(policies) if any(a.startswith("kms:") for a in actions(s))]
    assert set(actions(kms)) == {"kms:Decrypt", "kms:GenerateDataKey"} and kms["Resource"] == key
    bucket = resources(stack, "AWS::S3::Bucket")[stack.get_logical_id(clicks.bucket.node.default_child)]
    assert encryption(bucket)["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"


def test_server_access_and_load_balancer_log_buckets_stay_sse_s3_under_the_profile() -> None:
    stack = in_profile("regulated")
    pipeline = ThumbnailPipeline(stack, "Thumbs")
    web = AlbFunction(stack, "Web", entry=PLAIN,
                      certificate=acm.Certificate.from_certificate_arn(stack, "Cert", CERTIFICATE))
    assert pipeline.access_logs is not None
    for bucket in (pipeline.access_logs, web.access_logs_bucket):
        rule = encryption(resources(stack, "AWS::S3::Bucket")[stack.get_logical_id(bucket.node.default_child)])
        assert rule == {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}


def test_cloudfront_logs_are_encrypted_with_the_stacks_key_that_cloudfronts_log_delivery_may_use() -> None:
    stack = in_profile("regulated")
    cdn = EdgeDistribution(stack, "Cdn", origin_bucket=s3.Bucket(stack, "Content"),
                           origin_response=EdgeHandler(PLAIN), viewer_request_function=REWRITE)
    logs = resources(stack, "AWS::S3::Bucket")[stack.get_logical_id(cdn.log_bucket.node.default_child)]
    key_id = the_key(stack)
    assert encryption(logs) == {"BucketKeyEnabled": True, "ServerSideEncryptionByDefault": {
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": [key_id, "Arn"]}}}
    assert logs["Properties"]["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    statements = resources(stack, "AWS::KMS::Key")[key_id]["Properties"]["KeyPolicy"]["Statement"]
    (delivery,) = [s for s in statements if s.get("Principal") == {"Service": "delivery.logs.amazonaws.com"}]
    assert delivery["Action"] == "kms:GenerateDataKey*" and delivery["Effect"] == "Allow"


# Load balancer


def test_a_regulated_load_balancer_without_a_certificate_or_with_deletion_protection_off_is_refused() -> None:
    stack = in_profile("regulated")
    with pytest.raises(ConfigurationError, match=re.escape(
            "AlbFunction 'Test/Web': certificate None is required under the regulated profile, whose listeners serve "
            "HTTPS only (cdk-nag ELBv2ACMCertificateRequired, ALBHttpToHttpsRedirection): give an ACM certificate of "
            "the stack's region (HTTPS on 443, port 80 redirects to it)")):
        AlbFunction(stack, "Web", entry=PLAIN, allow_plain_http=True)
    certificate = acm.Certificate.from_certificate_arn(stack, "Cert", CERTIFICATE)
    with pytest.raises(ConfigurationError, match=re.escape(
            "deletion_protection False is refused under the regulated profile (cdk-nag ELBDeletionProtectionEnabled)")):
        AlbFunction(stack, "Kept", entry=PLAIN, certificate=certificate, deletion_protection=False)


def test_a_regulated_load_balancer_serves_https_redirects_http_is_protected_and_filtered() -> None:
    stack = in_profile("regulated")
    web = AlbFunction(stack, "Web", entry=PLAIN,
                      certificate=acm.Certificate.from_certificate_arn(stack, "Cert", CERTIFICATE))
    listeners = {l["Properties"]["Protocol"]: l["Properties"]
                 for l in resources(stack, "AWS::ElasticLoadBalancingV2::Listener").values()}
    assert listeners["HTTPS"]["Certificates"] == [{"CertificateArn": CERTIFICATE}]
    (redirect,) = listeners["HTTP"]["DefaultActions"]
    assert redirect["Type"] == "redirect" and redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    (balancer,) = resources(stack, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    assert {"Key": "deletion_protection.enabled", "Value": "true"} in balancer["Properties"]["LoadBalancerAttributes"]
    assert web.web_acl is not None
    acl_id = stack.get_logical_id(web.web_acl)
    (association,) = resources(stack, "AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"] == {
        "ResourceArn": {"Ref": stack.get_logical_id(web.load_balancer.node.default_child)},
        "WebACLArn": {"Fn::GetAtt": [acl_id, "Arn"]}}
    acl = resources(stack, "AWS::WAFv2::WebACL")[acl_id]["Properties"]
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    assert [r["Statement"]["ManagedRuleGroupStatement"] for r in acl["Rules"]] == [
        {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"},
        {"VendorName": "AWS", "Name": "AWSManagedRulesKnownBadInputsRuleSet"}]
    assert all(r["OverrideAction"] == {"None": {}} for r in acl["Rules"])


def test_the_web_acl_logs_to_a_log_group_aws_waf_accepts() -> None:
    stack = in_profile("regulated")
    AlbFunction(stack, "Web", entry=PLAIN, certificate=acm.Certificate.from_certificate_arn(stack, "Cert", CERTIFICATE))
    (config,) = resources(stack, "AWS::WAFv2::LoggingConfiguration").values()
    (destination,) = config["Properties"]["LogDestinationConfigs"]
    parts = destination["Fn::Join"][1]
    # AWS WAF takes a log group's ARN without CloudFormation's trailing ":*", of a group named aws-waf-logs-...
    assert parts[-2] == ":log-group:" and set(parts[-1]) == {"Ref"}
    group = resources(stack, "AWS::Logs::LogGroup")[parts[-1]["Ref"]]
    assert group["Properties"]["LogGroupName"]["Fn::Join"][1][0].startswith("aws-waf-logs-")
    assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [the_key(stack), "Arn"]}
    assert config["Properties"]["RedactedFields"] == [{"SingleHeader": {"Name": "authorization"}},
                                                      {"SingleHeader": {"Name": "cookie"}}]


def test_a_given_web_acl_is_associated_and_none_is_made() -> None:
    stack = in_profile("regulated")
    AlbFunction(stack, "Web", entry=PLAIN, web_acl_arn=WEB_ACL,
                certificate=acm.Certificate.from_certificate_arn(stack, "Cert", CERTIFICATE))
    assert resources(stack, "AWS::WAFv2::WebACL") == {}
    (association,) = resources(stack, "AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"]["WebACLArn"] == WEB_ACL


def test_the_default_load_balancer_is_unchanged() -> None:
    stack = in_profile("default")
    AlbFunction(stack, "Web", entry=PLAIN, allow_plain_http=True)
    assert resources(stack, "AWS::WAFv2::WebACL") == resources(stack, "AWS::WAFv2::WebACLAssociation") == {}
    (balancer,) = resources(stack, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    assert {"Key": "deletion_protection.enabled", "Value": "false"} in balancer["Properties"]["LoadBalancerAttributes"]


# The packs themselves

HANDLED = {"S3DefaultEncryptionKMS", "S3BucketReplicationEnabled", "S3BucketLoggingEnabled", "S3BucketVersioningEnabled",
           "S3BucketSSLRequestsOnly", "S3BucketLevelPublicAccessProhibited", "ELBv2ACMCertificateRequired",
           "ALBHttpToHttpsRedirection", "ALBWAFEnabled", "ELBDeletionProtectionEnabled", "ELBLoggingEnabled",
           "ALBHttpDropInvalidHeaderEnabled", "WAFv2LoggingEnabled", "VPCNoUnrestrictedRouteToIGW"}


def test_the_compliance_packs_report_no_bucket_or_load_balancer_rule_under_the_profile() -> None:
    stack = in_profile("regulated", **{"@aws-cdk/core:validationReportJson": True})
    app = stack.node.root
    ThumbnailPipeline(stack, "Thumbs")
    FanOut(stack, "Fan")
    FirehoseTransform(stack, "Clicks", entry=PLAIN)
    AlbFunction(stack, "Web", entry=PLAIN, certificate=acm.Certificate.from_certificate_arn(stack, "Cert", CERTIFICATE))
    content = s3.Bucket(stack, "Content")
    EdgeDistribution(stack, "Cdn", origin_bucket=content, origin_response=EdgeHandler(PLAIN),
                     viewer_request_function=REWRITE)
    Validations.of(app).add_plugins(HIPAASecurityChecks(app), NIST80053R5Checks(app), PCIDSS321Checks(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):  # the test's own bucket is not regulated
        app.synth()  # type: ignore[attr-defined]
    reports = json.loads((Path(app.outdir) / "validation-report.json").read_text())["pluginReports"]  # type: ignore[attr-defined]
    assert len(reports) == 3
    found = {(v["ruleName"].split("-", 1)[1], c["constructPath"]) for report in reports
             for v in report["violations"] for c in v["violatingConstructs"]}
    # The test's own origin bucket is the app's: the packs still report it, as they should (they ran).
    assert {rule for rule, path in found if path.startswith(f"{content.node.path}/")} >= {"S3DefaultEncryptionKMS"}
    assert sorted((rule, path) for rule, path in found
                  if rule in HANDLED and not path.startswith(f"{content.node.path}/")) == []
