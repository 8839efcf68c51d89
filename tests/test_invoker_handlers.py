"""The handlers of the invokers' demos, fed the events their services send (the shapes of AWS's documentation, read
through Powertools' event data classes): Cognito's pre sign-up and post confirmation triggers (the profile row in
moto's DynamoDB), a CloudWatch Logs subscription's gzip-compressed batch, and a Firehose transformation batch."""

from __future__ import annotations

import base64
import gzip
import json
import zlib

import boto3
import pytest

from tests.handlers import Context, load_handler, moto_aws, on_demand_table
from tests.helpers import ROOT

HANDLERS = ROOT / "lambda_src"
POOL = "us-east-1_EXAMPLE"
SUB = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"


def cognito_event(trigger_source: str, email: str, **extra: object) -> dict:
    """A user pool trigger's event as Cognito sends it (the common parameters, then the trigger's request)."""
    return {
        "version": "1", "region": "us-east-1", "userPoolId": POOL, "userName": "ana",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
        "triggerSource": trigger_source,
        "request": {"userAttributes": {"sub": SUB, "email": email, "email_verified": "true"}, **extra},
        "response": {},
    }


# --- Cognito: pre sign-up ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sign_up(monkeypatch_module):
    monkeypatch_module.setenv("ALLOWED_EMAIL_DOMAIN", "Example.com")
    return load_handler(HANDLERS / "sign_up_domain" / "handler.py", "sign_up_domain_handler")


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.parametrize("source", ["PreSignUp_SignUp", "PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider"])
def test_an_address_of_the_domain_signs_up_whatever_the_way(sign_up, source: str) -> None:
    event = cognito_event(source, "Ana@EXAMPLE.com", validationData=None, clientMetadata={})
    assert sign_up.handler(event, Context()) == event  # answered unchanged: Cognito goes on


@pytest.mark.parametrize("email", ["ana@example.org", "ana@mail.example.com", "example.com@evil.test", "ana", ""])
def test_any_other_address_is_refused_with_what_the_user_is_told(sign_up, email: str) -> None:
    with pytest.raises(sign_up.SignUpRefused, match="only addresses of example.com may sign up"):
        sign_up.handler(cognito_event("PreSignUp_SignUp", email), Context())


# --- Cognito: post confirmation --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def profiles():
    with moto_aws(TABLE_NAME="profiles", POWERTOOLS_SERVICE_NAME="profiles"):
        on_demand_table("profiles", "user_id")
        handler = load_handler(HANDLERS / "user_profile" / "handler.py", "user_profile_handler")
        yield handler, boto3.resource("dynamodb").Table("profiles")


def test_a_confirmed_user_gets_one_profile_row_however_often_cognito_asks(profiles) -> None:
    handler, table = profiles
    event = cognito_event("PostConfirmation_ConfirmSignUp", "ana@example.com")
    assert handler.handler(event, Context()) == event
    first = table.get_item(Key={"user_id": SUB})["Item"]
    assert {k: first[k] for k in ("email", "user_name")} == {"email": "ana@example.com", "user_name": "ana"}
    handler.handler(cognito_event("PostConfirmation_ConfirmSignUp", "changed@example.com"), Context())
    assert table.get_item(Key={"user_id": SUB})["Item"] == first  # a retry changes nothing


def test_a_password_reset_is_no_new_user(profiles) -> None:
    handler, table = profiles
    event = cognito_event("PostConfirmation_ConfirmForgotPassword", "bo@example.com")
    event["request"]["userAttributes"]["sub"] = "someone-else"
    assert handler.handler(event, Context()) == event
    assert "Item" not in table.get_item(Key={"user_id": "someone-else"})


def test_a_failed_write_fails_the_confirmation(profiles, monkeypatch) -> None:
    handler, _ = profiles
    monkeypatch.setattr(handler, "table", boto3.resource("dynamodb").Table("missing"))
    with pytest.raises(Exception, match="ResourceNotFoundException"):
        handler.handler(cognito_event("PostConfirmation_ConfirmSignUp", "cy@example.com"), Context())


# --- CloudWatch Logs subscription ------------------------------------------------------------------------------


def logs_event(*messages: str, group: str = "/aws/lambda/greeter") -> dict:
    """What CloudWatch Logs sends a subscribed function: the batch's JSON, gzip-compressed, base64-encoded."""
    data = {"messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": group,
            "logStream": "2026/01/02/[$LATEST]94fa867e5374431291a7fc14e2f56ae7",
            "subscriptionFilters": ["ErrorSummary"],
            "logEvents": [{"id": str(34622316099697884706540976068822859012661220141643892546 + i),
                           "timestamp": 1552518348220 + i, "message": message} for i, message in enumerate(messages)]}
    return {"awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(data).encode())).decode()}}


@pytest.fixture(scope="module")
def summarizer(monkeypatch_module):
    monkeypatch_module.setenv("POWERTOOLS_METRICS_NAMESPACE", "Demo")
    return load_handler(HANDLERS / "error_summary" / "handler.py", "error_summary_handler")


def test_a_batch_of_error_lines_is_summarized_with_a_metric(summarizer, capsys) -> None:
    json_line = json.dumps({"level": "ERROR", "message": "order 7 has no item", "timestamp": "2026-01-02T03:04:05Z"})
    found = summarizer.handler(logs_event(json_line, "[ERROR] Timeout\n"), Context())
    assert found == {"log_group": "/aws/lambda/greeter", "error_lines": 2, "first": "order 7 has no item",
                     "log_stream": "2026/01/02/[$LATEST]94fa867e5374431291a7fc14e2f56ae7"}
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    (metric,) = emitted
    assert metric["ErrorLines"] == [2.0]
    assert metric["LogGroup"] == "/aws/lambda/greeter"


def test_a_timed_out_invocation_is_summarized_by_its_report(summarizer) -> None:
    """A timeout writes no error line: Lambda's JSON invocation report says it (telemetry-schema-reference.html)."""
    report = json.dumps({"time": "2026-01-02T03:04:05.000Z", "type": "platform.report", "record": {
        "requestId": "6d68ca91-49c9-448d-89b8-7ca3e6dc66aa", "status": "timeout", "errorType": "Sandbox.Timedout",
        "metrics": {"durationMs": 3000.0, "billedDurationMs": 3000, "memorySizeMB": 256, "maxMemoryUsedMB": 70}}})
    found = summarizer.handler(logs_event(report), Context())
    assert found["first"] == "invocation timeout Sandbox.Timedout 6d68ca91-49c9-448d-89b8-7ca3e6dc66aa"


def test_a_batch_that_is_not_cloudwatch_logs_data_fails_to_be_retried(summarizer) -> None:
    with pytest.raises(zlib.error, match="incorrect header check"):
        summarizer.handler({"awslogs": {"data": base64.b64encode(b"not gzip").decode()}}, Context())


# --- Firehose transformation -------------------------------------------------------------------------------------


def firehose_event(*payloads: bytes) -> dict:
    """What Firehose sends its transformation function: a batch of base64-encoded records of a Direct PUT stream."""
    return {
        "invocationId": "invocationIdExample",
        "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/clicks",
        "region": "us-east-1",
        "records": [{"recordId": f"4958{i:052d}", "approximateArrivalTimestamp": 1495072949453,
                     "data": base64.b64encode(payload).decode()} for i, payload in enumerate(payloads)],
    }


@pytest.fixture(scope="module")
def normalizer():
    return load_handler(HANDLERS / "click_normalizer" / "handler.py", "click_normalizer_handler")


def test_every_record_is_answered_by_its_id_ok_dropped_or_failed(normalizer) -> None:
    event = firehose_event(
        json.dumps({"page": "/home?ref=mail", "userId": "u-1", "timestamp": 1767322800000}).encode(),
        json.dumps({"path": "/cart", "user_id": "u-2", "at": "2026-01-02T04:00:00+01:00"}).encode(),
        json.dumps({"type": "heartbeat"}).encode(),
        b"not json",
        json.dumps({"page": "/home", "timestamp": 1}).encode(),
        json.dumps(["a", "list"]).encode(),
        json.dumps({"page": "/home", "userId": "u-3", "at": "2026-01-02T04:00:00"}).encode(),
        b"\xff\xfe",
    )
    answered = normalizer.handler(event, Context())["records"]
    assert [r["recordId"] for r in answered] == [r["recordId"] for r in event["records"]]
    assert [r["result"] for r in answered] == ["Ok", "Ok", "Dropped"] + ["ProcessingFailed"] * 5
    lines = [base64.b64decode(r["data"]).decode() for r in answered[:2]]
    assert lines == ['{"page":"/home","user_id":"u-1","at":"2026-01-02T03:00:00.000Z"}\n',
                     '{"page":"/cart","user_id":"u-2","at":"2026-01-02T03:00:00.000Z"}\n']
    assert answered[3]["data"] == event["records"][3]["data"]  # a failed record is kept as it came, for a look


def test_the_answer_is_no_larger_than_the_batch(normalizer) -> None:
    """Firehose sends at most 3 MB a batch; the answer must stay within Lambda's 6 MB for a synchronous response."""
    click = json.dumps({"page": "/" + "p" * 200, "userId": "u" * 40, "timestamp": 1767322800000,
                        "extra": "x" * 300}).encode()
    event = firehose_event(*[click] * 5000)
    sent = len(json.dumps(event))
    assert sent > 3 * 1024 * 1024
    assert len(json.dumps(normalizer.handler(event, Context()))) <= sent
