"""Every suppression in the templates is of a finding the scanner would report, and nothing else is
reported: in the demo app as the CLI synthesizes it, in it without feature flags, in it under the regulated
profile, and in an app of the options the demo does not use (a public URL, customer managed keys, load
balancers with HTTPS and internal, a VPC with internet access, Lambda@Edge from a stack outside us-east-1,
durable functions).

The templates are scanned once with their checkov skips and cfn-lint ignores taken out; the findings must
be exactly the suppressed (check, resource) pairs. More would be an unsuppressed finding; fewer, a stale or
invented suppression. (cdk-nag and cfn-guard acknowledgments live in the construct tree, and their
plugins run in both synths.)
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aws_cdk import App, Duration, Environment, Stack, Validations
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from cdklabs.cdk_validator_cfnguard import CfnGuardValidator

from constructs_lib import (
    AlarmTopic,
    AlbFunction,
    ApiCors,
    ApiFunction,
    DependencyLayer,
    Deployment,
    Durable,
    FanOut,
    FirehoseTransform,
    FunctionStep,
    LogSubscriber,
    ScheduledFunction,
    ServerlessFunction,
    ThumbnailPipeline,
    TopicSubscriber,
    UserPoolTrigger,
    VpcFunction,
    Workflow,
    route_alarms,
)
from constructs_lib.resources.keys import new_key
from constructs_lib.resources.buckets import data_bucket, log_bucket
from constructs_lib.resources.queues import failure_queue
from constructs_lib.rules import DeployRules
from stacks.edge_stack import EdgeStack
from tests.conftest import templates_in
from tests.helpers import FIXTURES, PLAIN
from constructs_lib.cli.gates import templates_of
from constructs_lib.cli.scanners import cfn_lint, checkov
from tests.helpers import CHECKOV

APPS = ("cli", "unflagged", "variants", "regulated")
CERTIFICATE = "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
REQUIREMENTS = FIXTURES / "with_requirements" / "requirements.txt"
WEB_ACL = "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/apis/00000000-0000-0000-0000-000000000000"


def variants() -> App:
    """Options the demo does not use, in an app without feature flags, with the validation plugins
    (tests/template_jobs.py synthesizes it)."""
    app = App(context={"aws:cdk:bundling-stacks": []})
    env = Environment(region="us-east-1")
    functions, balancers, networks = Stack(app, "Functions"), Stack(app, "Balancers", env=env), Stack(app, "Networks")
    failures = failure_queue(functions, "Failures")
    ServerlessFunction(functions, "Public", entry=PLAIN, function_url_auth="NONE", allow_public_function_url=True,
                       on_failure=failures)
    key = new_key(functions, "Key", description="Encrypts the variants")
    ServerlessFunction(functions, "Durable", entry=PLAIN, durable=Durable(Duration.days(7)), on_failure=failures)
    ServerlessFunction(functions, "Keyed", entry=PLAIN, environment={"TABLE": "orders"}, environment_key=key,
                       log_encryption_key=key, reserved_concurrency=1, on_failure=failures,
                       dead_letter_queue=failure_queue(functions, "DeadLetters"))
    AlbFunction(balancers, "Internal", entry=PLAIN, internet_facing=False)
    AlbFunction(balancers, "Https", entry=PLAIN, deletion_protection=True,
                certificate=acm.Certificate.from_certificate_arn(balancers, "Certificate", CERTIFICATE))
    online = VpcFunction(networks, "Online", entry=PLAIN, allow_internet=True, filesystem=True,
                         on_failure=failure_queue(networks, "Failures"),
                         interface_endpoints=[ec2.InterfaceVpcEndpointAwsService.SQS])
    VpcFunction(networks, "Sibling", entry=PLAIN, vpc=online.vpc,  # shares the VPC's endpoint
                on_failure=failure_queue(networks, "SiblingFailures"),
                interface_endpoints=[ec2.InterfaceVpcEndpointAwsService.SQS])
    EdgeStack(app, "EdgeElsewhere", env=Environment(region="eu-west-1"))  # edge functions in a us-east-1 stack
    apis = Stack(app, "Apis", env=env)
    certificate = acm.Certificate.from_certificate_arn(apis, "Certificate", CERTIFICATE)
    ApiFunction(apis, "Rest", api="rest", entry=PLAIN, routes=["GET /orders", "POST /orders"], domain_name=
                "api.example.com", certificate=certificate, cors=ApiCors(allow_origins=["https://app.example.com"]),
                web_acl_arn=WEB_ACL)
    ApiFunction(apis, "RestIam", api="rest", auth="iam", entry=PLAIN)
    ApiFunction(apis, "RestPublic", api="rest", auth="none", allow_public_api=True, entry=PLAIN)
    ApiFunction(apis, "HttpIam", auth="iam", entry=PLAIN, domain_name="www.example.com", certificate=certificate)
    ApiFunction(apis, "HttpPublic", auth="none", allow_public_api=True, entry=PLAIN)
    ApiFunction(apis, "HttpPlus", entry=PLAIN, feature_plan=cognito.FeaturePlan.PLUS, self_sign_up=True)
    fan = Stack(app, "Fans")
    pipeline = ThumbnailPipeline(fan, "Queued", via="queue", max_concurrency=5)
    uploads = FanOut(fan, "Uploads", source_bucket=pipeline.thumbnail_bucket, topic=sns.Topic(
        fan, "Events", enforce_ssl=True, master_key=new_key(fan, "EventsKey", description="Encrypts S3 events")),
                     events=[s3.EventType.OBJECT_REMOVED])
    uploads.add_worker("Worker", entry=PLAIN, deployment=Deployment.all_at_once())
    TopicSubscriber(fan, "Subscriber", entry=PLAIN, deployment=Deployment.all_at_once())
    TopicSubscriber(fan, "DurableSubscriber", entry=PLAIN, durable=Durable(Duration.hours(1)))
    ServerlessFunction(fan, "Layered", entry=PLAIN, on_failure=failure_queue(fan, "LayeredFailures"),
                       layers=[DependencyLayer(fan, "Layer", requirements=REQUIREMENTS)])
    schedules = Stack(app, "Schedules", env=env)
    later = datetime.now(timezone.utc) + timedelta(days=30)
    ScheduledFunction(schedules, "Zoned", via="scheduler", schedule="cron(0 8 ? * MON-FRI *)", entry=PLAIN,
                      time_zone="Europe/Paris", flexible_window=Duration.minutes(15), start_date=later,
                      end_date=later + timedelta(days=365), snap_start=True, powertools=True,
                      powertools_layer_version="latest")
    ScheduledFunction(schedules, "Once", via="scheduler", at=later, entry=PLAIN,
                      target_dead_letter_queue=failure_queue(schedules, "OnceDeadLetters"))
    ScheduledFunction(schedules, "OnOrder", entry=PLAIN, event_bus=events.EventBus(schedules, "Orders"),
                      event_pattern=events.EventPattern(source=["shop"]))
    flows = Stack(app, "Flows")
    step = FunctionStep(flows, "Step", function=ServerlessFunction(
        flows, "Worker", entry=PLAIN, no_failure_target="Only the workflow invokes it, synchronously."))
    Workflow(flows, "Express", kind="express", definition=step)
    recorded = Workflow(flows, "Recorded", include_execution_data=True, definition=sfn.Pass(flows, "Nothing"))
    uploads = data_bucket(flows, "Uploads", noncurrent_version_expiration=Duration.days(30),
                          access_logs=log_bucket(flows, "AccessLogs", expiration=Duration.days(90), delivery="s3"),
                          without_key_because="The test's bucket: SSE-S3 encrypts every object.")
    recorded.start_on_upload("Uploads", uploads, prefix="in/")
    recorded.start_from_queue("Queued", failure_queue(flows, "Queued"))
    recorded.start_on_event("Nightly", schedule=events.Schedule.rate(Duration.days(1)))
    invokers = _invokers(app)
    for stack in (functions, balancers, networks, apis, fan, schedules, flows, invokers):
        route_alarms(stack, AlarmTopic(stack, "Alarms").topic)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app), CfnGuardValidator(),
                                    DeployRules(app))
    return app


def _invokers(app: App) -> Stack:
    """A pool's sender and V2 token triggers, a log subscriber and a Firehose transformation behind aliases."""
    stack = Stack(app, "Invokers", env=Environment(region="us-east-1"))
    codes = new_key(stack, "Codes", description="Encrypts the codes Cognito sends")
    pool = cognito.UserPool(
        stack, "Users", custom_sender_kms_key=codes, feature_plan=cognito.FeaturePlan.PLUS,
        standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
        mfa=cognito.Mfa.REQUIRED, mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
        password_policy=cognito.PasswordPolicy(min_length=12, require_digits=True, require_lowercase=True,
                                               require_uppercase=True, require_symbols=True))
    UserPoolTrigger(stack, "Mail", user_pool=pool, operation="custom_email_sender", sender_key=codes, entry=PLAIN)
    UserPoolTrigger(stack, "Claims", user_pool=pool, operation="pre_token_generation", entry=PLAIN,
                    deployment=Deployment.all_at_once())
    worker = ServerlessFunction(stack, "Worker", entry=PLAIN)
    LogSubscriber(stack, "Errors", log_group=worker.log_group, entry=PLAIN, deployment=Deployment.all_at_once())
    FirehoseTransform(stack, "Clicks", entry=PLAIN, deployment=Deployment.all_at_once())
    return stack


def without_suppressions(template: dict) -> tuple[dict, set[tuple[str, str]]]:
    """The template without its resources' checkov skips and cfn-lint ignores, and the pairs taken out."""
    removed = set()
    for logical_id, resource in template["Resources"].items():
        metadata = resource.get("Metadata", {})
        for skip in metadata.pop("checkov", {}).get("skip", []):
            removed.add((skip["id"], logical_id))
        for rule in metadata.pop("cfn-lint", {}).get("config", {}).get("ignore_checks", []):
            removed.add((rule, logical_id))
    return template, removed


def lint_pair(line: str, logical_ids: set[str]) -> tuple[str, str]:
    """(rule, logical id) of a cfn-lint line: the rule's message names the resource."""
    fields = line.split(":", 6)
    named = [word.strip(".'") for word in fields[6].split() if word.strip(".'") in logical_ids]
    return fields[5], named[0] if named else "?"


@pytest.fixture(scope="module")
def scanned(assembly: Path, unflagged_templates: dict[str, dict], variant_templates: dict[str, dict],
            regulated_templates: dict[str, dict], tmp_path_factory) -> dict[str, tuple[set, set]]:
    """Per app: the suppressed pairs, and the pairs one scan of all of them reports."""
    folder = tmp_path_factory.mktemp("unsuppressed")
    suppressed: dict[str, set] = {app: set() for app in APPS}
    ids: dict[str, set] = {app: set() for app in APPS}
    apps = {"cli": templates_in(assembly), "unflagged": unflagged_templates, "variants": variant_templates,
            "regulated": regulated_templates}
    for app, templates in apps.items():
        for name, template in templates.items():
            template, removed = without_suppressions(json.loads(json.dumps(template)))
            suppressed[app] |= removed
            ids[app] |= set(template["Resources"])
            (folder / f"{app}-{name}.template.json").write_text(json.dumps(template))
    paths = templates_of(folder)
    reported: dict[str, set] = {app: set() for app in APPS}
    lint = cfn_lint(paths)
    assert lint["cfn-lint"] == []
    for line in lint["cfn-lint-serverless"]:
        app = Path(line.split(":")[0]).name.split("-")[0]
        reported[app].add(lint_pair(line, ids[app]))
    for finding in checkov(paths, CHECKOV):
        check, where = finding.split(" at ")
        app = where.split("-")[0]
        reported[app].add((check, where.rsplit(".", 1)[-1]))
    return {app: (suppressed[app], reported[app]) for app in suppressed}


@pytest.mark.parametrize("app", APPS)
def test_nothing_is_reported_but_what_is_suppressed(scanned: dict, app: str) -> None:
    suppressed, reported = scanned[app]
    assert reported - suppressed == set()


@pytest.mark.parametrize("app", APPS)
def test_every_suppression_is_of_a_finding_that_would_be_reported(scanned: dict, app: str) -> None:
    suppressed, reported = scanned[app]
    assert suppressed, "nothing suppressed?"
    assert suppressed - reported == set()
