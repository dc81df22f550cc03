"""`agentlog export FORMAT`: the file formats (export.py) and OpenTelemetry (export_otlp.py).

csv, json and jsonl are one command that reads its FORMAT argument: the group hands it the
format's name along with the rest of the arguments.
"""

from __future__ import annotations

import typer

from agentlog.cli.lazy import LazyGroup
from agentlog.store import EXPORT_FORMATS


class _ExportGroup(LazyGroup):
    def resolve_command(self, ctx, args):
        name, command, rest = super().resolve_command(ctx, args)
        return (name, command, [name, *rest]) if name in EXPORT_FORMATS else (name, command,
                                                                               rest)


app = typer.Typer(cls=_ExportGroup,
                  help="Export the matching executions: csv, json or jsonl to a file or "
                       "stdout; otlp to an OpenTelemetry collector.\n\nExamples:\n\n"
                       "  agentlog export csv -o runs.csv --this-month\n\n"
                       "  agentlog export otlp --endpoint http://127.0.0.1:4318",
                  no_args_is_help=True, rich_markup_mode=None, add_completion=False)


def register(guarded) -> dict:
    """The group's commands by name (cli/app.py builds each when it is used)."""
    from agentlog.cli import export, export_otlp

    return {**{name: export.export for name in EXPORT_FORMATS}, "otlp": export_otlp.otlp}
