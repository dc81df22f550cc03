"""Options shared by several commands, defined once."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

ConfigOpt = Annotated[
    Optional[str],
    typer.Option("--config", "-c", metavar="PATH", show_default=False,
                 help="Agents file. Default: $AGENTLOG_CONFIG, else ./agents.yaml."),
]
DbOpt = Annotated[
    Optional[str],
    typer.Option("--db", metavar="PATH", show_default=False,
                 help="SQLite log. Default: $AGENTLOG_DB, else settings.db, else the user "
                      "data dir."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
