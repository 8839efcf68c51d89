"""``python -m constructs_lib new DIR [--requirement SPEC]``: create a ready CDK app (see ``cli.starter``);
``requirement``: how a requirements file names this installation; ``upgrade``: upgrade it in an app."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from .cli.origin import OriginError, requirement_line
from .cli.starter import create
from .cli.upgrade import upgrade


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m constructs_lib")
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="create a ready CDK app in a new folder")
    new.add_argument("folder", type=Path)
    new.add_argument("--requirement", help="how the app's requirements.txt names constructs_lib (default: as it "
                                           "was installed here: its version from an index, or its wheel or folder)")
    commands.add_parser("requirement", help="print the requirements line that installs this constructs_lib again")
    up = commands.add_parser("upgrade", help="upgrade constructs_lib in an app and rewrite its requirements line")
    up.add_argument("requirements", type=Path, nargs="?", default=Path("requirements.txt"))
    up.add_argument("--from", dest="source", help="a version, a wheel or a folder to upgrade to "
                                                  "(default: where the line says, newest)")
    args = parser.parse_args(argv)
    try:
        if args.command == "requirement":
            print(requirement_line())
        elif args.command == "upgrade":
            before, after = upgrade(args.requirements, args.source)
            print(f"constructs_lib: {before} -> {after}. Next: make test (read the snapshot diff and the CHANGELOG)")
        else:
            written = create(args.folder, args.requirement)
            print(f"Created {len(written)} files in {args.folder}. Next: cd {args.folder} && make synth && make test")
    except (FileExistsError, OriginError, ValueError) as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    sys.exit(main())
