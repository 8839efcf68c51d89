"""The VPC demo handlers: the product reader against moto's DynamoDB, the EFS notes on a local folder."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from tests.handlers import Context, load_handler, moto_aws, on_demand_table
from tests.helpers import ROOT

HANDLERS = ROOT / "lambda_src"


@pytest.fixture(scope="module")
def reader():
    with moto_aws(TABLE_NAME="products"):
        on_demand_table("products", "product_id")
        boto3.resource("dynamodb").Table("products").put_item(Item={"product_id": "p-1", "name": "Lamp", "price": 25})
        yield load_handler(HANDLERS / "vpc_reader" / "handler.py", "vpc_reader_handler")


def test_reader_finds_a_product(reader) -> None:
    assert reader.handler({"product_id": "p-1"}, Context()) == {
        "found": True, "item": {"product_id": "p-1", "name": "Lamp", "price": "25"}}
    assert reader.handler({"product_id": "p-2"}, Context()) == {"found": False}


def test_reader_refuses_an_event_without_product_id(reader, caplog) -> None:
    assert "error" in reader.handler({"id": 1}, Context())
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == ["no product_id"]


@pytest.fixture
def notes(tmp_path, monkeypatch):
    monkeypatch.setenv("MOUNT_PATH", str(tmp_path))
    return load_handler(HANDLERS / "efs_notes" / "handler.py", "efs_notes_handler"), tmp_path


def test_notes_are_appended_and_read(notes) -> None:
    handler, folder = notes
    assert handler.handler({}, Context()) == {"count": 0, "last": []}
    for i in range(7):
        handler.handler({"note": f"note {i}\nwith a newline"}, Context())
    answer = handler.handler({}, Context())
    assert answer["count"] == 7 and answer["last"][-1] == "note 6 with a newline" and len(answer["last"]) == 5
    assert (folder / "notes.txt").read_text().count("\n") == 7


def test_concurrent_appends_never_interleave(notes) -> None:
    handler, folder = notes
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: handler.handler({"note": f"writer {i} " + "x" * 500}, Context()), range(40)))
    lines = (folder / "notes.txt").read_text().splitlines()
    assert len(lines) == 40 and all(line.endswith("x" * 500) and line.startswith("writer ") for line in lines)


@pytest.mark.parametrize("note", ["", "   ", 42, "y" * 1001])
def test_bad_notes_are_refused_and_logged(notes, caplog, note) -> None:
    handler, folder = notes
    assert "error" in handler.handler({"note": note}, Context())
    assert not (folder / "notes.txt").exists()
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == ["rejected note"]
