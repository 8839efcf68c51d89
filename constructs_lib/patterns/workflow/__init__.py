"""Workflow and FunctionStep: Step Functions state machines of functions, with the library's defaults."""
