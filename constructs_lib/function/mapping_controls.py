"""What an event source mapping of QueueWorker or StreamConsumer may also be given (Lambda API reference,
"ProvisionedPollerConfig", "EventSourceMappingMetricsConfig"): provisioned pollers for SQS, the mapping's own
metrics, and the alarms those metrics allow.

aws-cdk-lib 2.275 refuses more than 2,000 maximum pollers; Lambda and CloudFormation's schema accept up to 10,000
for SQS, so a larger maximum is written with a property override instead of being refused."""

from __future__ import annotations

from typing import Any, Optional

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..core.validation import Checks, is_unresolved, seconds_of
from ..observability import alarms as alarm_kit

API = "https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html"
METRICS_PAGE = "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics"
SQS_MIN_POLLERS = (2, 200)  # MinimumPollers for SQS: 2 to 200
SQS_MAX_POLLERS = (2, 10_000)  # MaximumPollers for SQS: 2 to 10,000 (default 200)
CDK_MAX_POLLERS = 2_000  # what aws-cdk-lib's EventSourceMapping accepts
# A CloudWatch alarm looks back at most one day (period x evaluation periods).
MAX_ALARM_SECONDS = 24 * 3600

ProvisionedPollers = tuple[int, int]


def check_provisioned_pollers(
    checks: Checks, pollers: Optional[ProvisionedPollers], max_concurrency: Optional[int],
) -> None:
    """SQS provisioned mode: (minimum, maximum) within Lambda's ranges, not with max_concurrency."""
    if pollers is None:
        return
    given: Any = pollers  # from a user's app: anything
    if not isinstance(given, (tuple, list)) or len(pollers) != 2:
        checks.fail("provisioned_pollers", pollers, "must be (minimum, maximum), e.g. (2, 200)")
        return
    minimum, maximum = pollers
    checks.within("provisioned_pollers minimum", minimum, *SQS_MIN_POLLERS)
    checks.within("provisioned_pollers maximum", maximum, *SQS_MAX_POLLERS)
    if not is_unresolved(minimum) and not is_unresolved(maximum):
        checks.require(minimum <= maximum, "provisioned_pollers", pollers, "must have minimum <= maximum")
    checks.require(
        max_concurrency is None, "max_concurrency", max_concurrency,
        "cannot be given with provisioned_pollers: Lambda takes either ScalingConfig (MaximumConcurrency) or "
        "ProvisionedPollerConfig on an SQS event source mapping, not both",
    )


def poller_config(pollers: Optional[ProvisionedPollers]) -> Optional[lambda_.ProvisionedPollerConfig]:
    """What aws-cdk-lib's EventSourceMapping is given; a maximum it would refuse is left to `override_pollers`."""
    if pollers is None:
        return None
    minimum, maximum = pollers
    cdk_accepts = is_unresolved(maximum) or maximum <= CDK_MAX_POLLERS
    return lambda_.ProvisionedPollerConfig(minimum_pollers=minimum, maximum_pollers=maximum if cdk_accepts else None)


def override_pollers(mapping: lambda_.EventSourceMapping, pollers: Optional[ProvisionedPollers]) -> None:
    """Writes a maximum above aws-cdk-lib's 2,000 (Lambda accepts up to 10,000 for SQS) into the template."""
    if pollers is None or is_unresolved(pollers[1]) or pollers[1] <= CDK_MAX_POLLERS:
        return
    resource = mapping.node.default_child
    assert isinstance(resource, lambda_.CfnEventSourceMapping)
    resource.add_property_override("ProvisionedPollerConfig.MaximumPollers", pollers[1])


def metrics_config(metrics: bool) -> Optional[lambda_.MetricsConfig]:
    """The mapping's EventCount metrics (the only group Lambda offers for SQS, Kinesis and DynamoDB streams)."""
    return lambda_.MetricsConfig(metrics=[lambda_.MetricType.EVENT_COUNT]) if metrics else None


def check_expected_events(checks: Checks, expect_events_within: Optional[Duration], metrics: bool) -> None:
    """The idle alarm reads the mapping's PolledEventCount, which only metrics=True publishes."""
    if expect_events_within is None:
        return
    seconds = seconds_of(expect_events_within)
    checks.require(
        metrics, "expect_events_within", expect_events_within,
        "needs metrics=True: the alarm watches the mapping's PolledEventCount metric",
    )
    if seconds is not None:
        checks.require(
            seconds % 60 == 0 and 60 <= seconds <= MAX_ALARM_SECONDS, "expect_events_within", expect_events_within,
            "must be whole minutes, from 1 minute to 1 day (what one CloudWatch alarm can look back over)",
        )


def mapping_metric(mapping: lambda_.EventSourceMapping, name: str, period: Duration) -> cloudwatch.Metric:
    """One of the mapping's EventCount metrics: Lambda publishes them per mapping (EventSourceMappingUUID)."""
    return cloudwatch.Metric(
        namespace="AWS/Lambda", metric_name=name, statistic="Sum", period=period,
        dimensions_map={"EventSourceMappingUUID": mapping.event_source_mapping_id},
    )


def no_events_alarm(scope: Construct, mapping: lambda_.EventSourceMapping, within: Duration) -> cloudwatch.Alarm:
    """Alarms when the mapping polled no event for `within`: a source that should never go quiet did."""
    return alarm_kit.below(
        scope, "NoEventsAlarm", mapping_metric(mapping, "PolledEventCount", within), 1,
        f"No event polled in {within.to_human_string()}",
    )


def dropped_events_alarm(scope: Construct, mapping: lambda_.EventSourceMapping) -> cloudwatch.Alarm:
    """Alarms when the mapping dropped records that ran out of retries or age (DroppedEventCount)."""
    return alarm_kit.any_of(
        scope, "DroppedEventsAlarm", mapping_metric(mapping, "DroppedEventCount", alarm_kit.PERIOD),
        "Records were dropped after their retries or maximum age",
    )
