"""Keeps notes on an EFS file system shared by every concurrent invocation.

Event: {"note": "..."} appends the note (at most 1000 characters) to notes.txt under the mount path;
{} only reads. Answer: {"count": n, "last": [up to 5 notes]}. Appends are serialized with a file lock,
so concurrent invocations never interleave lines. Environment: MOUNT_PATH (default /mnt/data).
"""

import fcntl
import os
from pathlib import Path

from aws_lambda_powertools import Logger

logger = Logger()
MAX_NOTE = 1000


def notes_file() -> Path:
    return Path(os.environ.get("MOUNT_PATH", "/mnt/data")) / "notes.txt"


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    note = event.get("note")
    if note is not None and (not isinstance(note, str) or not note.strip() or len(note) > MAX_NOTE):
        logger.warning("rejected note", extra={"note_type": type(note).__name__})
        return {"error": f"note must be a non-empty string of at most {MAX_NOTE} characters"}
    path = notes_file()
    with path.open("a+", encoding="utf-8") as notes:
        fcntl.flock(notes, fcntl.LOCK_EX)
        if note is not None:
            notes.write(note.replace("\n", " ").strip() + "\n")
            notes.flush()
        notes.seek(0)
        lines = notes.read().splitlines()
    logger.info("notes", extra={"count": len(lines), "appended": note is not None})
    return {"count": len(lines), "last": lines[-5:]}
