"""The secure resources several constructs share: KMS keys, buckets, failure queues, VPCs, and aws-cdk-lib's
own deploy-time handlers tidied."""
