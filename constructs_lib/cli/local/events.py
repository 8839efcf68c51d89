"""Sample events, one per trigger the library wires, shaped as the services send them (the sample events of
the Lambda developer guide's pages for each service), with the names and ARNs of the function's template."""

from __future__ import annotations

import base64
import json
from typing import Any, Optional

from ...core.templates import Props
from .names import ACCOUNT, Names
from .triggers import S3Source, Trigger

KINDS = ("s3", "sqs", "sns", "eventbridge", "schedule", "apigw-v1", "apigw-v2", "alb", "kinesis", "dynamodb",
         "cognito")
TIME = "2025-01-01T12:00:00.000Z"
SAMPLE_BODY = {"id": "1", "message": "sample"}


def sample_key(source: Optional[S3Source]) -> str:
    """A key the bucket's notification filter lets through."""
    prefix, suffix = (source.prefix, source.suffix) if source else ("", "")
    return f"{prefix}sample{suffix or '.jpg'}"


def s3_event(names: Names, source: Optional[S3Source], size: int) -> Props:
    bucket = names.name(source.bucket) if source else "sample-bucket"
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": names.region, "eventTime": TIME,
        "eventName": "ObjectCreated:Put", "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "198.51.100.1"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG"},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "local",
               "bucket": {"name": bucket, "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                          "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": sample_key(source), "size": size, "eTag": "0123456789abcdef0123456789abcdef",
                          "sequencer": "0A1B2C3D4E5F678901"}},
    }]}


def sns_record(names: Names, topic: Optional[str], message: str) -> Props:
    arn = names.arn(topic) if topic else f"arn:aws:sns:{names.region}:{ACCOUNT}:sample-topic"
    return {"Type": "Notification", "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e", "TopicArn": arn,
            "Subject": None, "Message": message, "Timestamp": TIME, "SignatureVersion": "1",
            "Signature": "EXAMPLE", "SigningCertUrl": "EXAMPLE", "UnsubscribeUrl": "EXAMPLE", "MessageAttributes": {}}


def message_of(names: Names, trigger: Trigger, size: int) -> str:
    """What a queue's or topic's message carries: an S3 event (in an SNS envelope when so delivered), or JSON."""
    if trigger.s3 is None:
        return json.dumps(SAMPLE_BODY)
    event = json.dumps(s3_event(names, trigger.s3, size))
    return json.dumps(sns_record(names, None, event)) if trigger.s3.through_sns else event


def sample_event(kind: str, names: Names, trigger: Optional[Trigger] = None, size: int = 0) -> Props:
    """The sample event of `kind` for the trigger (its source's names), or with stand-in names."""
    trigger = trigger or Trigger(kind)
    source = trigger.source
    if kind == "s3":
        return s3_event(names, trigger.s3, size)
    if kind == "sqs":
        arn = names.arn(source) if source else f"arn:aws:sqs:{names.region}:{ACCOUNT}:sample-queue"
        return {"Records": [{
            "messageId": f"059f36b4-87a3-44ab-83d2-66197516806{i}", "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3",
            "body": message_of(names, trigger, size),
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1735732800000",
                           "SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": "1735732800001"},
            "messageAttributes": {}, "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3", "eventSource": "aws:sqs",
            "eventSourceARN": arn, "awsRegion": names.region} for i in (1, 2)]}
    if kind == "sns":
        record = sns_record(names, source, message_of(names, trigger, size))
        return {"Records": [{"EventVersion": "1.0", "EventSource": "aws:sns", "Sns": record,
                             "EventSubscriptionArn": f"{record['TopicArn']}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55"}]}
    if kind in ("eventbridge", "schedule"):
        scheduled = kind == "schedule"
        return {"version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "account": ACCOUNT,
                "region": names.region, "time": TIME.replace(".000", ""),
                "detail-type": "Scheduled Event" if scheduled else "Sample Event",
                "source": "aws.events" if scheduled else "com.example.orders",
                "resources": [names.arn(source)] if source else [], "detail": {} if scheduled else SAMPLE_BODY}
    if kind == "apigw-v1":
        return rest_event()
    if kind == "apigw-v2":
        return http_event()
    if kind == "alb":
        target_group = f"arn:aws:elasticloadbalancing:{names.region}:{ACCOUNT}:targetgroup/sample/6d0ecf831eec9f09"
        return {"requestContext": {"elb": {"targetGroupArn": target_group}}, "httpMethod": "GET", "path": "/",
                "queryStringParameters": {}, "headers": {"host": "sample.example.com", "user-agent": "curl/8.5.0",
                                                         "x-forwarded-proto": "https"},
                "body": "", "isBase64Encoded": False}
    if kind == "kinesis":
        arn = names.arn(source) if source else f"arn:aws:kinesis:{names.region}:{ACCOUNT}:stream/sample"
        data = base64.b64encode(json.dumps(SAMPLE_BODY).encode()).decode()
        return {"Records": [{"kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "1",
                                         "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
                                         "data": data, "approximateArrivalTimestamp": 1735732800.0},
                             "eventSource": "aws:kinesis", "eventVersion": "1.0", "eventID": "shardId-000000000006:1",
                             "eventName": "aws:kinesis:record", "awsRegion": names.region,
                             "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/sample",
                             "eventSourceARN": arn}]}
    if kind == "dynamodb":
        arn = names.attribute(source, "StreamArn") if source else \
            f"arn:aws:dynamodb:{names.region}:{ACCOUNT}:table/sample/stream/2025-01-01T00:00:00.000"
        image = {"pk": {"S": "1"}, "message": {"S": "sample"}}
        return {"Records": [{"eventID": "c4ca4238a0b923820dcc509a6f75849b", "eventName": "INSERT",
                             "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": names.region,
                             "dynamodb": {"ApproximateCreationDateTime": 1735732800, "Keys": {"pk": {"S": "1"}},
                                          "NewImage": image, "SequenceNumber": "4421584500000000017450439091",
                                          "SizeBytes": 26, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                             "eventSourceARN": arn}]}
    if kind == "cognito":
        return {"version": "1", "region": names.region, "userPoolId": f"{names.region}_EXAMPLE",
                "userName": "sample-user", "triggerSource": "PreSignUp_SignUp",
                "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
                "request": {"userAttributes": {"email": "sample@example.com"}, "validationData": {}},
                "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}}
    raise ValueError(f"no sample event of kind {kind!r}: one of {', '.join(KINDS)}")


def rest_event() -> Props:
    """API Gateway REST API, Lambda proxy integration (payload 1.0)."""
    return {"resource": "/orders", "path": "/orders", "httpMethod": "GET",
            "headers": {"Host": "example.execute-api.us-east-1.amazonaws.com", "Accept": "application/json"},
            "multiValueHeaders": {"Accept": ["application/json"]}, "queryStringParameters": None,
            "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
            "requestContext": {"resourcePath": "/orders", "httpMethod": "GET", "path": "/prod/orders",
                               "stage": "prod", "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
                               "accountId": ACCOUNT, "apiId": "1234567890", "identity": {"sourceIp": "198.51.100.1"},
                               "authorizer": {"claims": {"sub": "sample-user"}}},
            "body": None, "isBase64Encoded": False}


def http_event() -> Props:
    """API Gateway HTTP API, payload format 2.0."""
    http: dict[str, Any] = {"method": "GET", "path": "/orders", "protocol": "HTTP/1.1", "sourceIp": "198.51.100.1",
                            "userAgent": "curl/8.5.0"}
    return {"version": "2.0", "routeKey": "GET /orders", "rawPath": "/orders", "rawQueryString": "",
            "headers": {"accept": "application/json", "host": "example.execute-api.us-east-1.amazonaws.com"},
            "requestContext": {"accountId": ACCOUNT, "apiId": "api-id", "domainName": "example.execute-api."
                               "us-east-1.amazonaws.com", "http": http, "requestId": "JKJaXmPLvHcESHA=",
                               "routeKey": "GET /orders", "stage": "$default", "time": "01/Jan/2025:12:00:00 +0000",
                               "timeEpoch": 1735732800000,
                               "authorizer": {"jwt": {"claims": {"sub": "sample-user"}, "scopes": None}}},
            "isBase64Encoded": False}
