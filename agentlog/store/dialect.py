"""SQLite spellings of JSON paths and full-text search, kept in one place.

A second store (PostgreSQL) replaces these functions, not the filters that call them. Every
function returns SQL text with `?` placeholders and the parameters that fill them; user input
only ever travels as a parameter.
"""

from __future__ import annotations

import json
from typing import Any

from agentlog.errors import QueryError

MAX_INTEGER = 2**63 - 1  # SQLite integers are 64-bit; a larger Python int cannot be bound


def json_path(key: str) -> str:
    """`a.b` → `$."a"."b"`: dotted keys reach nested objects; each label is quoted."""
    parts = key.split(".")
    if not key or any(not p for p in parts):
        raise QueryError(f"--meta needs a key like team or labels.env, got '{key}'")
    if '"' in key:
        raise QueryError(f"--meta keys cannot contain '\"', got '{key}'")
    return "$" + "".join(f'."{p}"' for p in parts)


def json_has(column: str, key: str) -> tuple[str, tuple]:
    """The key is present (its value may be JSON null)."""
    return f"json_type({column}, ?) IS NOT NULL", (json_path(key),)


def json_equals(column: str, key: str, value: Any) -> tuple[str, tuple]:
    """The value at key equals `value`: strings as text; numbers, booleans and null as JSON
    values, or as a string spelled the same (`"42"` matches 42)."""
    path = json_path(key)
    if isinstance(value, str):
        return f"json_extract({column}, ?) = ?", (path, value)
    if value is None:
        return (f"(json_type({column}, ?) = 'null' OR json_extract({column}, ?) = 'null')",
                (path, path))
    if isinstance(value, bool):
        spelled = "true" if value else "false"
        return (f"(json_type({column}, ?) = ? OR json_extract({column}, ?) = ?)",
                (path, spelled, path, spelled))
    if isinstance(value, (int, float)):
        # SQLite reads a JSON integer beyond 64 bits as REAL: compare such a number as one.
        number = float(value) if abs(value) > MAX_INTEGER else value
        return (f"((json_type({column}, ?) IN ('integer', 'real') "
                f"AND json_extract({column}, ?) = ?) OR json_extract({column}, ?) = ?)",
                (path, path, number, path, json.dumps(value)))
    raise QueryError(f"--meta values are strings, numbers, booleans or null, got {value!r}")


def fts_phrases(text: str) -> str:
    """User text as an FTS5 query that cannot be a syntax error: every word a quoted phrase
    (ANDed); a trailing * keeps its meaning as a prefix search."""
    words = text.split()
    if not words:
        raise QueryError("--search needs some text")
    out = []
    for word in words:
        prefix = word.endswith("*") and len(word) > 1
        body = word.rstrip("*") if prefix else word
        out.append('"' + body.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(out)


def fts_filter() -> str:
    """Condition on executions: the row's text matches (one parameter: the FTS5 query)."""
    return "id IN (SELECT rowid FROM executions_fts WHERE executions_fts MATCH ?)"


def fts_ranked_source() -> str:
    """executions joined to its matches with their bm25 rank as `fts_rank` (one parameter).

    Rows deleted from executions never show: the join needs the row itself."""
    return ("executions JOIN (SELECT rowid AS fts_id, rank AS fts_rank FROM executions_fts "
            "WHERE executions_fts MATCH ?) ON fts_id = executions.id")


def prefer_index(name: str) -> str:
    """A FROM-clause suffix that makes the planner read `executions` through one index.

    Only for a report statement whose index is covering *and* already in the order it needs
    (its GROUP BY, or the ORDER BY of a percentile): without statistics the planner prefers a
    narrower index that can seek a time range, then reads every matching row from the wide
    table or sorts them (PERF_NOTES.md). A store without such hints returns ""."""
    return f" INDEXED BY {name}"
