"""Runs every night at 03:00 UTC."""

import json


def handler(event, context):
    print(json.dumps({"message": "nightly run", "time": event.get("time")}))
    return {"ok": True}
