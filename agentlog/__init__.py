"""agentlog: run LLM agents declared in YAML and log every execution in SQLite.

The public names are loaded lazily so that `import agentlog` stays cheap for the
reading commands (the run path imports litellm, which takes seconds).
"""

__version__ = "0.1.0"

__all__ = ["Executions", "Result", "__version__", "arun", "run"]


def __getattr__(name: str):
    if name == "Executions":
        from agentlog.api_query import Executions

        return Executions
    if name in ("run", "arun", "Result"):
        from agentlog import api

        return getattr(api, name)
    raise AttributeError(f"module 'agentlog' has no attribute {name!r}")
