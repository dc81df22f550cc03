"""`agentlog run`: execute one agent and print its answer."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from agentlog.cli.options import ConfigOpt, DbOpt


def _meta(pairs: list[str]) -> dict:
    """Integers, booleans and null keep their JSON type; anything else is kept as typed."""
    from agentlog.runner.prompt import parse_pairs
    from agentlog.store.filters import meta_stored

    return {key: meta_stored(value) for key, value in parse_pairs(pairs, "--meta").items()}


def run(
    agent: Annotated[str, typer.Argument(
        metavar="AGENT", help="Name of the agent in the agents file.")],
    param: Annotated[list[str], typer.Option(
        "--param", "-p", metavar="KEY=VALUE",
        help="A parameter; VALUE may be @path to read a file, @- to read stdin. "
             "Repeatable.")] = [],  # noqa: B006
    params_json: Annotated[Optional[str], typer.Option(
        "--params-json", metavar="JSON",
        help="All parameters as a JSON object (or @file, @- for stdin).")]
        = None,
    meta: Annotated[list[str], typer.Option(
        "--meta", metavar="KEY=VALUE", help="Metadata to record. Repeatable.")] = [],  # noqa: B006
    tenant: Annotated[Optional[str], typer.Option(
        "--tenant", help="Tenant to record. Default: $AGENTLOG_TENANT, else settings.tenant.")]
        = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the whole execution record as JSON instead of the answer "
                       "(a schema agent's response as the parsed object).")] = False,
    stream: Annotated[bool, typer.Option(
        "--stream", help="Print the answer as it arrives (default: the agent's `stream:`).")]
        = False,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Do not answer from the response cache (a success still fills it).")]
        = False,
    input_file: Annotated[Optional[str], typer.Option(
        "--input", metavar="FILE", help="Batch: one execution per JSONL line or CSV row "
                                        "('-' reads stdin).")] = None,
    concurrency: Annotated[int, typer.Option(
        "--concurrency", "-j", min=1, max=256, help="Batch: executions at a time.")] = 4,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE", help="Batch: JSONL results in input order "
                                               "(default: stdout).")] = None,
    estimate: Annotated[bool, typer.Option(
        "--estimate", help="Batch: print the rows, input tokens and cost range per model of "
                           "the fallback chain; call no model, log nothing.")] = False,
    max_cost: Annotated[Optional[float], typer.Option(
        "--max-cost", metavar="USD", min=0, help="Batch: stop launching rows once the batch "
                                                 "has spent USD; the rest are skipped.")]
        = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Run an agent and log the execution.

    Prints the answer on stdout and a summary line on stderr. Exit code 1 when the
    execution failed (it is still logged).

    Examples:

      agentlog run hello

      agentlog run summarize -p text=@README.md --meta ticket=42 --tenant acme

      git diff | agentlog run summarize -p text=@-

      agentlog run summarize --params-json '{"text": "..."}' --json

      agentlog run summarize --input rows.jsonl -j 8 -o results.jsonl

      agentlog run summarize --input rows.jsonl --estimate

      agentlog run summarize --input rows.jsonl --max-cost 2.50
    """
    from agentlog import config as config_mod
    from agentlog.cli import context, render
    from agentlog.runner import prompt
    from agentlog.runner.execute import RunRequest, execute

    cfg = config_mod.load(config)
    params = prompt.collect(param, params_json)
    request = RunRequest(agent=agent, params=params, meta=_meta(meta), tenant=tenant,
                         use_cache=not no_cache, stream=True if stream else None)
    if input_file is None and (estimate or max_cost is not None):
        from agentlog.errors import ConfigError

        raise ConfigError(f"{'--estimate' if estimate else '--max-cost'} applies to a batch: "
                          "give --input FILE")
    if input_file is not None:
        from agentlog.cli import batch

        if estimate:
            batch.estimate(cfg, request, input_file, as_json=as_json, db=db)
            return
        batch.run_batch(cfg, request, input_file, concurrency, output, as_json=as_json, db=db,
                        max_cost=max_cost)
        return
    from agentlog.runner.execute import prepare

    prep = prepare(cfg, request)  # input errors surface before the log is opened
    log = context.writing_log(db, cfg.settings.db)  # before litellm is even loaded
    printer = render.StreamPrinter() if prep.row["streaming"] and not as_json else None
    outcome = execute(cfg, request, log, on_text=printer, prepared=prep)
    for warning in outcome.warnings:
        typer.echo(warning, err=True)
    record = outcome.execution
    if as_json:
        shown = record.to_dict()
        if outcome.output is not None:
            shown["response"] = outcome.output
        render.print_json(shown)
    elif printer is not None and printer.printed:
        printer.end()
    elif outcome.text is not None and outcome.ok:  # shown even when it is not persisted
        typer.echo(outcome.text)
    typer.echo(render.summary_line(record), err=True)
    if not outcome.ok:
        raise typer.Exit(1)
