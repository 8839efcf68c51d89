"""``python -m constructs_lib.diagrams cdk.out OUT``: Mermaid diagrams of an app's stacks (see `cli.diagrams`)."""

from __future__ import annotations

import sys

from .cli.diagrams import NODE_TYPES, Diagram, diagram_of, diagrams_of, main, markdown

__all__ = ["NODE_TYPES", "Diagram", "diagram_of", "diagrams_of", "main", "markdown"]

if __name__ == "__main__":
    sys.exit(main())
