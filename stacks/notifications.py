"""Every demo stack sends the state changes of its constructs' alarms to a topic of its own.

Subscribe an address with `-c constructs_lib:alarm-email=ops@example.com` (SNS mails a confirmation link).
A topic per stack: alarm actions must be in the alarm's region, and the demo stacks deploy separately.
"""

from aws_cdk import Stack

from constructs_lib import AlarmTopic, route_alarms


def send_alarms_to_a_topic(stack: Stack) -> AlarmTopic:
    email = stack.node.try_get_context("constructs_lib:alarm-email")
    alarms = AlarmTopic(stack, "Alarms", emails=[email] if email else [])
    route_alarms(stack, alarms.topic)
    return alarms
