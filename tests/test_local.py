"""`python -m constructs_lib.local invoke cdk.out PATH`: a function of the synthesized demo run in-process with
its template's environment and layers, on the sample event of its trigger, with AWS in moto."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from constructs_lib.cli.local.events import KINDS, sample_event
from constructs_lib.cli.local.function import LocalError, find_function
from constructs_lib.cli.local.main import main
from constructs_lib.cli.local.names import Names
from constructs_lib.cli.local.triggers import triggers_of
from tests.helpers import ROOT


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(["invoke", *args])
    out, err = capsys.readouterr()
    return code, out.strip().splitlines(), err


def test_a_fan_out_worker_reads_its_s3_records_layer_and_its_table_in_moto(assembly: Path, capsys) -> None:
    """The worker imports `s3_records` from FanOut's layer; the sample is an SQS batch whose bodies are S3
    events of the fan-out's bucket (raw SNS delivery), under its prefix; its table is made in moto."""
    code, out, err = invoke(capsys, str(assembly), "FanOutDemo/Uploads/Catalog", "--moto")
    assert code == 0, err
    # Both messages read as S3 records (a body s3_records cannot read is a failed item: the test below).
    assert json.loads(out[-1]) == {"batchItemFailures": []}
    assert "made in moto: AWS::DynamoDB::Table FanOutDemo-Catalog" in err
    assert "made in moto: s3://fanoutdemo-uploadssource" in err and "/incoming/sample.jpg" in err
    assert "succeeded" in err


def test_the_thumbnail_handler_makes_thumbnails_of_a_sample_upload(assembly: Path, capsys) -> None:
    """The bundle's Pillow is built for Lambda (arm64, its Python): this Python's own is used, and said."""
    code, out, err = invoke(capsys, str(assembly), "ThumbnailPipelineDemo/Thumbnails", "--moto")
    assert code == 0, err
    assert json.loads(out[-1]) == {"done": 1, "rejected": 0, "ignored": 0}
    assert "the bundle's compiled packages (PIL) are built for Lambda" in err
    assert "s3://thumbnailpipelinedemo-thumbnailssource" in err and "/sample.jpg" in err


def test_the_command_runs_a_worker_on_a_file_event_and_reports_its_failures(assembly: Path, tmp_path: Path) -> None:
    """From the command line, with an event of one's own: a body that is not an S3 event is a failed item."""
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"Records": [{"messageId": "m1", "body": "not json"}]}))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "constructs_lib.local", "invoke", str(assembly),
                             "FanOutDemo/Uploads/Audit", "--event", str(event)], capture_output=True, text=True,
                            env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"batchItemFailures": [{"itemIdentifier": "m1"}]}


@pytest.mark.parametrize(("path", "kind"), [
    ("QueueWorkerDemo/OrderWorker", "sqs"), ("StreamConsumerDemo/AuditTrail", "dynamodb"),
    ("ScheduledFunctionDemo/HourlyCleanup", "schedule"), ("AlbFunctionDemo/Echo", "alb"),
    ("ApiDemo/OrdersApi", "apigw-v2"), ("FanOutDemo/Notice", "sns"), ("ThumbnailPipelineDemo/Thumbnails", "s3"),
])
def test_the_trigger_is_read_from_the_template(assembly: Path, path: str, kind: str) -> None:
    assert [t.kind for t in triggers_of(find_function(assembly, path))] == [kind]


def test_a_topic_subscriber_of_s3_events_gets_them_in_the_sns_message(assembly: Path) -> None:
    function = find_function(assembly, "FanOutDemo/Notice")
    (trigger,) = triggers_of(function)
    event = sample_event("sns", function.names, trigger)
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    assert message["Records"][0]["s3"]["object"]["key"] == "incoming/sample.jpg"
    assert event["Records"][0]["Sns"]["TopicArn"].startswith("arn:aws:sns:us-east-1:123456789012:FanOutDemo-")


def test_the_environment_names_what_the_template_refers_to(assembly: Path) -> None:
    function = find_function(assembly, "ThumbnailPipelineDemo/Thumbnails")
    environment = function.environment()
    assert environment["THUMBNAIL_BUCKET"].startswith("thumbnailpipelinedemo-thumbnails")
    assert environment["METADATA_TABLE"].startswith("ThumbnailPipelineDemo-ThumbnailsMetadata")


def test_a_path_under_several_functions_lists_them(assembly: Path) -> None:
    with pytest.raises(LocalError, match="2 functions lie under FanOutDemo/Uploads; name one of:"):
        find_function(assembly, "FanOutDemo/Uploads")
    with pytest.raises(LocalError, match="no function at Nowhere"):
        find_function(assembly, "Nowhere")


@pytest.mark.parametrize("kind", KINDS)
def test_every_sample_event_has_the_shape_its_service_sends(kind: str) -> None:
    event = sample_event(kind, Names(stack="S", template={"Resources": {}}))
    shape = {"s3": ("Records", 0, "s3", "object", "key"), "sqs": ("Records", 0, "body"),
             "sns": ("Records", 0, "Sns", "Message"), "eventbridge": ("detail",), "schedule": ("detail-type",),
             "apigw-v1": ("requestContext", "resourcePath"), "apigw-v2": ("requestContext", "http", "method"),
             "alb": ("requestContext", "elb", "targetGroupArn"), "kinesis": ("Records", 0, "kinesis", "data"),
             "dynamodb": ("Records", 0, "dynamodb", "Keys"), "cognito": ("triggerSource",)}[kind]
    value = event
    for key in shape:
        value = value[key]
    assert value is not None
