"""`agentlog agents`: what the agents file declares, and whether it is valid."""

from __future__ import annotations

import typer

from agentlog.cli.lazy import LazyGroup
from agentlog.cli.options import ConfigOpt, JsonOpt
from agentlog.errors import one_line

app = typer.Typer(cls=LazyGroup,
                  help="List the agents of the agents file, or validate it.\n\nExamples:\n\n"
                       "  agentlog agents --json\n\n  agentlog agents validate -c agents.yaml",
                  rich_markup_mode=None, add_completion=False)


def agents(ctx: typer.Context, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List the agents: name, model, fallbacks, parameters, description.

    Examples:

      agentlog agents

      agentlog agents validate
    """
    if ctx.invoked_subcommand is not None:
        return
    from agentlog import config as config_mod
    from agentlog.cli import render

    cfg = config_mod.load(config)
    rows = [
        {
            "name": agent.name,
            "model": agent.model,
            "fallbacks": [m.model for m in agent.models()[1:]],
            "params": {k: {"required": s.is_required, "default": s.default}
                       for k, s in agent.param_specs().items()},
            "description": agent.description,
            "version": agent.version,
        }
        for agent in cfg.agents.values()
    ]
    if as_json:
        render.print_json(rows)
    else:
        render.agents_table(rows, str(cfg.path))


def validate(config: ConfigOpt = None) -> None:
    """Check the agents file and report every problem with file, agent and key.

    Models that litellm's price map does not know, and that neither `pricing:` nor an
    `openai/...` endpoint covers, get one warning line each (the exit stays 0).

    Example:

      agentlog agents validate -c agents.yaml
    """
    from agentlog import config as config_mod

    path = config_mod.config_path(config)
    problems, warnings = config_mod.validate(path)
    for line in warnings:
        typer.echo("warning: " + one_line(line), err=True)
    for line in problems:
        typer.echo(one_line(line), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {path}", err=True)
        raise typer.Exit(2)
    typer.echo(f"{path}: ok")


def register(guarded) -> dict:
    """Guard the group's own callback; its commands by name (cli/app.py builds each when it
    is used)."""
    app.callback(invoke_without_command=True)(guarded(agents))
    return {"validate": validate}
