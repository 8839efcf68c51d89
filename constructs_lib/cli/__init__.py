"""The command-line tools: the cost report, Mermaid diagrams and the starter app (entry points
``python -m constructs_lib.cost``, ``python -m constructs_lib.diagrams``, ``python -m constructs_lib new``)."""
