"""One exception family whose messages are meant for people.

The CLI boundary prints `str(error)` as one line on stderr and exits with `exit_code`;
anything that is not an AgentlogError is a bug and shows a traceback only with --debug.
"""


def one_line(text: str) -> str:
    """`text` with control characters escaped (`\\n`, `\\x0b`), so that a message that quotes
    user input (a YAML key, an agent name) stays on one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


class AgentlogError(Exception):
    exit_code = 1


class ConfigError(AgentlogError):
    """The agents file, a parameter or an option is wrong."""

    exit_code = 2


class MissingParameter(ConfigError):
    """A required parameter was not given; the message says how the CLI passes it, and
    `python_message` how a Python caller does."""

    def __init__(self, agent: str, name: str):
        self.agent, self.name = agent, name
        super().__init__(f"agent '{agent}': missing required parameter '{name}' "
                         f"(pass -p {name}=VALUE)")

    def python_message(self) -> str:
        return (f"agent '{self.agent}': missing required parameter '{self.name}' "
                f"(pass params={{{self.name!r}: ...}} or {self.name}=...)")


class QueryError(AgentlogError):
    """A filter, a column name or a sort key is wrong."""

    exit_code = 2


class StoreError(AgentlogError):
    """The database cannot be opened, read or written."""


class NoLogError(StoreError):
    """A reading command was pointed at a log that does not exist (a mistyped --db)."""

    exit_code = 2


class NotFoundError(AgentlogError):
    """A requested execution or agent does not exist."""
