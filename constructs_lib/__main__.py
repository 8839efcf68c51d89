"""``python -m constructs_lib new DIR [--requirement SPEC]``: create a ready CDK app (see ``starter``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from .cli.starter import create


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m constructs_lib")
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="create a ready CDK app in a new folder")
    new.add_argument("folder", type=Path)
    new.add_argument("--requirement", help="how the app's requirements.txt names constructs_lib "
                                           "(default: this checkout, or this version)")
    args = parser.parse_args(argv)
    try:
        written = create(args.folder, args.requirement)
    except FileExistsError as error:
        parser.error(str(error))
    print(f"Created {len(written)} files in {args.folder}. Next: cd {args.folder} && make synth && make test")
    return 0


if __name__ == "__main__":
    sys.exit(main())
