"""The dashboard (`agentlog ui`): a face like cli/. It reads the log only through a `Log`
and the same query and report functions as the CLI, and renders them as HTML and JSON."""
