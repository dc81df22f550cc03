"""A command group that builds each command only when it is used: the lazy group of click's
documentation ("Lazily Loading Subcommands"), on typer's group class.

Building a command turns its signature into options (the filter flags alone take
milliseconds per command), so start-up builds the invoked command only. The help listing
reads each command's summary without building it.
"""

from __future__ import annotations

from collections.abc import Callable

from typer.core import TyperCommand, TyperGroup


class LazyGroup(TyperGroup):
    # name → a function that builds the command; name → its help text (for the listing)
    lazy: dict[str, Callable[[], object]] = {}
    summary: Callable[[str], str] = staticmethod(lambda name: "")

    def list_commands(self, ctx) -> list[str]:
        return list(self.lazy)

    def get_command(self, ctx, name: str):
        if name not in self.commands and name in self.lazy:
            self.add_command(self.lazy[name](), name)
        return self.commands.get(name)

    def format_commands(self, ctx, formatter) -> None:
        """click's listing of the commands and their short help, from the summaries."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = [(name, TyperCommand(name, help=self.summary(name)).get_short_help_str(limit))
                for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
