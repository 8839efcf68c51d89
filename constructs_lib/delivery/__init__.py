"""Delivery to many accounts and regions: `ServiceStage` (an app's stacks for one account and region, with its
deployment policy, alarm routing, smoke tests and health alarm) and `DeliveryPipeline` (waves of stages on CDK
Pipelines over CodePipeline V2, each stage smoke-tested and baked on its alarms before the next wave)."""
