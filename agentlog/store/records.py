"""Typed execution records, as read back from the database."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from agentlog.timeutil import parse_iso

MAX_INTEGER = 2**63 - 1  # ids and integers are 64-bit: a larger Python int cannot be stored
# How some columns are stored: JSON text, 0/1, UTC ISO strings; and those that hold text.
JSON_COLUMNS = frozenset({"parameters", "metadata", "tool_calls", "attempts", "fallback_chain"})
BOOL_COLUMNS = frozenset({"streaming", "cache_hit", "retryable", "rate_limited"})
TIME_COLUMNS = frozenset({"created_at", "started_at", "completed_at", "deadline_at",
                          "payloads_purged_at"})
TEXT_COLUMNS = ("system_prompt", "user_prompt", "response", "error_message")


@dataclass(frozen=True)
class Execution:
    id: int
    agent_type: str
    status: str
    created_at: datetime
    agent_version: str | None = None
    model_id: str | None = None
    chosen_model_id: str | None = None
    provider: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    duration_ms: int | None = None
    time_to_first_token_ms: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    cached_tokens: int | None = None
    cache_creation_tokens: int | None = None
    reasoning_tokens: int | None = None
    input_cost: float | None = None
    output_cost: float | None = None
    total_cost: float | None = None
    cost_source: str | None = None
    streaming: bool = False
    temperature: float | None = None
    finish_reason: str | None = None
    parameters: dict | None = None
    system_prompt: str | None = None
    user_prompt: str | None = None
    response: str | None = None
    error_class: str | None = None
    error_message: str | None = None
    metadata: dict | None = None
    tool_calls: list | None = None
    tool_calls_count: int = 0
    attempts: list | None = None
    attempts_count: int = 0
    fallback_chain: list | None = None
    fallback_reason: str | None = None
    cache_hit: bool = False
    retryable: bool = False
    rate_limited: bool = False
    tenant_id: str | None = None
    batch_id: str | None = None
    deadline_at: datetime | None = None
    pid: int | None = None
    payloads_purged_at: datetime | None = None  # its text was dropped (prune --payloads)
    host: str | None = None  # where `pid` ran
    response_model: str | None = None  # the model the provider says answered
    response_id: str | None = None  # the provider's id of the final response
    server_address: str | None = None  # host of the last attempt's endpoint
    server_port: int | None = None
    max_tokens: int | None = None  # the answer's token limit the agent asked for

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Execution:
        values = {}
        for key, value in row.items():
            if key not in _KNOWN:
                continue
            if value is not None:
                if key in JSON_COLUMNS:
                    value = json.loads(value)
                elif key in TIME_COLUMNS:
                    value = parse_iso(value)
                elif key in BOOL_COLUMNS:
                    value = bool(value)
            values[key] = value
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values: times as the stored UTC ISO strings. Shallow: the JSON
        columns are the record's own dicts and lists (asdict's deep copy of them made
        `list --jsonl` many times slower than export)."""
        from agentlog.timeutil import to_iso

        out = {name: getattr(self, name) for name in _FIELDS}  # asdict would deep-copy
        for key in TIME_COLUMNS:
            if out[key] is not None:
                out[key] = to_iso(out[key])
        return out


_FIELDS = tuple(f.name for f in fields(Execution))
_KNOWN = frozenset(_FIELDS)
FIELDS = _FIELDS  # the record's columns in the order to_dict() lists them
_STORED_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", re.ASCII)


def plain(row: Sequence[Any]) -> dict[str, Any]:
    """`Execution.from_row(...).to_dict()` of a stored row that holds FIELDS in their order,
    without building the record: `list --json/--jsonl` prints every matching row this way.
    A time already in the stored spelling is kept as it is instead of parsed and re-spelled."""
    from agentlog.timeutil import to_iso

    out = dict(zip(_FIELDS, row, strict=True))
    for key in _JSON:
        if (value := out[key]) is not None:
            out[key] = json.loads(value)
    for key in _TIMES:
        if (value := out[key]) is not None and not _STORED_TIME.fullmatch(value):
            out[key] = to_iso(parse_iso(value))
    for key in _BOOLS:
        if (value := out[key]) is not None:
            out[key] = bool(value)
    return out


_JSON = [key for key in _FIELDS if key in JSON_COLUMNS]
_TIMES = [key for key in _FIELDS if key in TIME_COLUMNS]
_BOOLS = [key for key in _FIELDS if key in BOOL_COLUMNS]


def encode(values: dict[str, Any]) -> dict[str, Any]:
    """Values as stored: JSON columns as JSON text, booleans as 0/1 (`from_row` reads them
    back)."""
    out = {}
    for key, value in values.items():
        if key in JSON_COLUMNS and value is not None and not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
        elif isinstance(value, bool):
            value = int(value)
        out[key] = value
    return out


# The columns a list of executions shows (the dashboard's rows and their live refresh):
# reading only these skips the prompts, responses and JSON columns of each record.
LISTED = ("id", "created_at", "agent_type", "model_id", "chosen_model_id", "fallback_reason",
          "status", "total_tokens", "total_cost", "duration_ms", "tenant_id", "error_class")


def select_list(columns: tuple[str, ...] | None, every: str) -> str:
    """The select list of these record columns (`every` when None), checked by name."""
    if columns is None:
        return every
    unknown = [c for c in columns if c not in _KNOWN]
    if unknown:
        from agentlog.errors import QueryError

        raise QueryError(f"no such column: {', '.join(unknown)}")
    return ", ".join(f"executions.{c}" for c in columns)

