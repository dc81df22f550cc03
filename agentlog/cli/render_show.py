"""`show`: everything about one execution, in sections.

Stored text (prompts, responses, errors) is printed as plain Text, never as rich markup, so a
prompt that contains `[red]` prints as written. JSON is syntax-highlighted where it is JSON.
A text longer than SHOWN_CHARS is cut (laying out megabytes took rich half a minute);
`show --json` prints everything.
"""

from __future__ import annotations

import json
from typing import Any

from agentlog.cli.render import STATUS_STYLE, console, duration, money, tokens

SHOWN_CHARS = 20_000


def _cut(text: str) -> str:
    if len(text) <= SHOWN_CHARS:
        return text
    return (f"{text[:SHOWN_CHARS]}\n… {len(text) - SHOWN_CHARS:,} more characters "
            "(show --json prints everything)")


def _grid(pairs: list[tuple[str, Any]]):
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in pairs:
        if value is not None and value != "":
            grid.add_row(label, value if not isinstance(value, str) else Text(value))
    return grid


def _json_or_text(value: Any):
    """Highlighted JSON for dicts, lists and strings that parse as JSON; plain text otherwise."""
    from rich.json import JSON
    from rich.text import Text

    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    if len(value) > SHOWN_CHARS:
        return Text(_cut(value))
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        return Text(value)
    if not isinstance(parsed, (dict, list)):
        return Text(value)
    return JSON.from_data(parsed, ensure_ascii=False)


def _when(record, key: str, zone: str | None) -> str | None:
    value = getattr(record, key)
    if value is None:
        return None
    from agentlog.timeutil import format_local, to_iso

    return f"{format_local(value, zone)}  ({to_iso(value)})"


def _server(address: str | None, port: int | None) -> str | None:
    return None if address is None else f"{address}:{port}" if port else address


def _header(r, zone: str | None):
    from rich.text import Text

    status = Text(r.status, style=STATUS_STYLE.get(r.status, ""))
    chosen = r.chosen_model_id if r.chosen_model_id != r.model_id else None
    return _grid([
        ("status", status), ("agent", r.agent_type), ("version", r.agent_version),
        ("model", r.model_id), ("chosen model", chosen), ("provider", r.provider),
        ("response model", r.response_model if r.response_model != r.chosen_model_id else None),
        ("response id", r.response_id), ("server", _server(r.server_address, r.server_port)),
        ("tenant", r.tenant_id), ("batch", r.batch_id), ("created", _when(r, "created_at", zone)),
        ("started", _when(r, "started_at", zone)),
        ("completed", _when(r, "completed_at", zone)),
        ("duration", duration(r.duration_ms) if r.duration_ms is not None else None),
        ("first token", duration(r.time_to_first_token_ms)
         if r.time_to_first_token_ms is not None else None),
        ("finish reason", r.finish_reason),
        ("temperature", None if r.temperature is None else str(r.temperature)),
        ("max tokens", None if r.max_tokens is None else f"{r.max_tokens:,}"),
    ])


def _usage(r):
    """Tokens and their cost side by side, then where the price came from."""
    from rich.console import Group

    from agentlog.cli.render_table import right
    from agentlog.cli.render_table import table as house_table

    table = house_table("", right("tokens"), right("cost"))
    table.add_row("input", tokens(r.input_tokens), money(r.input_cost))
    table.add_row("output", tokens(r.output_tokens), money(r.output_cost))
    for label, value in (("cached", r.cached_tokens), ("cache creation", r.cache_creation_tokens),
                         ("reasoning", r.reasoning_tokens)):
        if value:
            table.add_row(label, tokens(value), "")
    table.add_row("total", tokens(r.total_tokens), money(r.total_cost), style="bold")
    return Group(table, _grid([("cost source", r.cost_source),
                               ("cache hit", "yes" if r.cache_hit else None)]))


def attempt_line(a: dict) -> str:
    """#1 gpt-4o-mini · 1.20 s · error RateLimitError: … · HTTP 429 · retry after 2s"""
    parts = [f"#{a.get('attempt', '?')} {a.get('model', '?')}", duration(a.get("duration_ms")),
             a.get("status") or "?"]
    if a.get("error_class"):
        parts[-1] += f" {a['error_class']}: {a.get('error_message') or ''}".rstrip()
    if a.get("http_status"):
        parts.append(f"HTTP {a['http_status']}")
    if a.get("retry_after") is not None:
        parts.append(f"retry after {a['retry_after']}s")
    if a.get("input_tokens") is not None:
        parts.append(f"{tokens(a['input_tokens'])}→{tokens(a.get('output_tokens'))} tokens")
    if a.get("server_address"):
        parts.append(_server(a["server_address"], a.get("server_port")))
    return " · ".join(parts)


def _tool_call(call: dict):
    rows = [("tool", f"{call.get('name', '?')}  ({duration(call.get('duration_ms'))})"),
            ("started", call.get("started_at")),
            ("arguments", _json_or_text(call.get("arguments"))),
            ("result", _json_or_text(call.get("result")) if call.get("result") is not None
             else None),
            ("error", call.get("error"))]
    return _grid(rows)


def execution_detail(r, zone: str | None) -> None:
    from rich.rule import Rule
    from rich.text import Text

    out = console()

    def section(title: str, body) -> None:
        out.print(Rule(title, align="left", style="dim"))
        out.print(body)

    out.print(Text(f"Execution #{r.id} · {r.agent_type}", style="bold"))
    out.print(_header(r, zone))
    if r.payloads_purged_at:
        out.print(Text(f"Text purged {_when(r, 'payloads_purged_at', zone)} (prune --payloads): "
                       "prompts, response, parameters and messages are gone; the numbers stay.",
                       style="yellow"))
    section("usage and cost", _usage(r))
    if r.attempts:
        section("attempts", Text("\n".join(attempt_line(a) for a in r.attempts)))
    if r.fallback_chain and len(r.fallback_chain) > 1:
        chain = " → ".join(r.fallback_chain)
        section("fallback", Text(f"{chain}  (reason: {r.fallback_reason or 'unknown'})"))
    for call in r.tool_calls or ():
        section("tool call", _tool_call(call))
    for title, value in (("parameters", r.parameters), ("metadata", r.metadata)):
        if value:
            section(title, _json_or_text(value))
    if r.error_class or r.error_message:
        section("error", Text(_cut(f"{r.error_class or 'error'}: {r.error_message or ''}"),
                              style="red"))
    for title, value in (("system prompt", r.system_prompt), ("user prompt", r.user_prompt),
                         ("response", r.response)):
        if value is not None:
            section(title, _json_or_text(value) if title == "response" else Text(_cut(value)))
