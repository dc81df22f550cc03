"""One exception family whose messages are meant for people.

The CLI boundary prints `str(error)` as one line on stderr and exits with `exit_code`;
anything that is not an AgentlogError is a bug and shows a traceback only with --debug.
"""


class AgentlogError(Exception):
    exit_code = 1


class ConfigError(AgentlogError):
    """The agents file, a parameter or an option is wrong."""

    exit_code = 2


class QueryError(AgentlogError):
    """A filter, a column name or a sort key is wrong."""

    exit_code = 2


class StoreError(AgentlogError):
    """The database cannot be opened, read or written."""


class NotFoundError(AgentlogError):
    """A requested execution or agent does not exist."""
