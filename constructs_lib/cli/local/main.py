"""The command line: ``python -m constructs_lib.local invoke cdk.out PATH [--event FILE|KIND] [--moto]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional, Sequence

from .aws import sample_object
from .events import KINDS, sample_event, sample_key
from .function import LocalError, find_function
from .invoke import invoke
from .triggers import Trigger, triggers_of


def choose(kind_or_file: Optional[str], triggers: list[Trigger]) -> tuple[Optional[Trigger], Optional[Any]]:
    """The trigger whose sample event to send, or the event a file holds."""
    if kind_or_file and Path(kind_or_file).is_file():
        return None, json.loads(Path(kind_or_file).read_text())
    if kind_or_file:
        if kind_or_file not in KINDS:
            raise LocalError(f"--event {kind_or_file}: not a file, nor one of {', '.join(KINDS)}")
        return next((t for t in triggers if t.kind == kind_or_file), Trigger(kind_or_file)), None
    if len(triggers) == 1:
        return triggers[0], None
    wired = ", ".join(t.kind for t in triggers) or "none in its template"
    raise LocalError(f"which event? the function's triggers: {wired}; give --event FILE or one of {', '.join(KINDS)}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m constructs_lib.local",
                                     description="Run a function of a cloud assembly in this Python process.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("invoke", help="run a function's handler on an event, with its template's "
                                             "environment and layers")
    run.add_argument("assembly", type=Path, help="the cloud assembly `cdk synth` wrote (cdk.out)")
    run.add_argument("path", help="the function's construct path, e.g. FanOutDemo/Uploads/Worker")
    run.add_argument("--event", metavar="FILE|KIND", help=f"a JSON file, or a sample of one of: {', '.join(KINDS)} "
                                                          "(default: the sample of the function's trigger)")
    run.add_argument("--moto", action="store_true", help="AWS calls go to moto, with the buckets, tables, queues "
                                                         "and topics the function's environment names")
    run.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="set or replace a variable")
    run.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)
    try:
        function = find_function(args.assembly, args.path, args.region)
        trigger, event = choose(args.event, triggers_of(function))
        s3 = trigger.s3 if trigger else None
        key = sample_key(s3)
        if trigger is not None:
            event = sample_event(trigger.kind, function.names, trigger, len(sample_object(key)))
        overrides = dict(item.split("=", 1) for item in args.env)
        outcome = invoke(function, event, moto=args.moto, overrides=overrides, s3=s3, s3_key=key)
    except LocalError as error:
        print(f"local invoke: {error}", file=sys.stderr)
        return 2
    for line in outcome.notes + [f"made in moto: {what}" for what in outcome.made]:
        print(f"local invoke: {line}", file=sys.stderr)
    status = f"failed: {type(outcome.error).__name__}: {outcome.error}" if outcome.error else "succeeded"
    print(f"local invoke: {function.path.removesuffix('/Resource')} ({function.handler}) {status} in "
          f"{outcome.duration_ms:.0f} ms", file=sys.stderr)
    if outcome.error is None:
        print(json.dumps(outcome.result, default=str))
    return 1 if outcome.error else 0
