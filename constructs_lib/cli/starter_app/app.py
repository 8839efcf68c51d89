"""The app: one stack, a nightly job and a queue worker, checked at every synth by cdk-nag and DeployRules."""

from aws_cdk import App, Stack, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from constructs_lib import AlarmTopic, QueueWorker, ScheduledFunction, route_alarms
from constructs_lib.rules import DeployRules


def build(app: App) -> Stack:
    stack = Stack(app, "MyService")
    ScheduledFunction(stack, "Nightly", schedule="cron(0 3 * * ? *)", entry="handlers/nightly")
    QueueWorker(stack, "Worker", entry="handlers/worker", batch_size=10)
    route_alarms(stack, AlarmTopic(stack, "Alarms").topic)
    # cdk-nag 3 and DeployRules are validation plugins: a finding fails the synth with its reason.
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app), DeployRules(app))
    return stack


if __name__ == "__main__":
    app = App()
    build(app)
    app.synth()
