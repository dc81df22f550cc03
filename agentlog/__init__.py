"""agentlog: run LLM agents declared in YAML and log every execution in SQLite.

The public names are loaded lazily so that `import agentlog` stays cheap for the
reading commands (the run path imports litellm, which takes seconds).
"""

__version__ = "0.1.0"

__all__ = ["Executions", "__version__"]


def __getattr__(name: str):
    if name == "Executions":
        from agentlog.api_query import Executions

        return Executions
    raise AttributeError(f"module 'agentlog' has no attribute {name!r}")
