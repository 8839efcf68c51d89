"""The app: one stack, a nightly job and a queue worker, checked at every synth by cdk-nag, the Control Tower
cfn-guard rules and DeployRules (then `make synth` runs cfn-lint and checkov: `python -m constructs_lib.gates`)."""

from typing import Any

from aws_cdk import App, Stack, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from cdklabs.cdk_validator_cfnguard import CfnGuardValidator
from constructs_lib import AlarmTopic, QueueWorker, ScheduledFunction, route_alarms
from constructs_lib.rules import DeployRules


def build(app: App) -> Stack:
    stack = Stack(app, "MyService")
    ScheduledFunction(stack, "Nightly", schedule="cron(0 3 * * ? *)", entry="handlers/nightly")
    QueueWorker(stack, "Worker", entry="handlers/worker", batch_size=10)
    route_alarms(stack, AlarmTopic(stack, "Alarms").topic)
    # cdk-nag 3, cfn-guard and DeployRules are validation plugins: a finding fails the synth with its reason.
    # (cdk-validator-cfnguard 0.0.62 types itself with aws-cdk-lib's older, Beta1 plugin interface; it works.)
    guard: Any = CfnGuardValidator()
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app), guard, DeployRules(app))
    return stack


if __name__ == "__main__":
    app = App()
    build(app)
    app.synth()
