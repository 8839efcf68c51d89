"""Runs every night at 03:00 UTC."""

import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, bool]:
    print(json.dumps({"message": "nightly run", "time": event.get("time")}))
    return {"ok": True}
