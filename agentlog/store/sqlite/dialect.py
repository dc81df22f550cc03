"""SQLite spellings of JSON paths and full-text search, kept in one place.

A second store (PostgreSQL) replaces these functions, not the filters that call them. Every
function returns SQL text with `?` placeholders and the parameters that fill them; user input
only ever travels as a parameter.
"""

from __future__ import annotations

import json
from typing import Any

from agentlog.store.records import MAX_INTEGER


def json_path(key: str) -> str:
    """`a.b` → `$."a"."b"`: dotted keys reach nested objects; each label is quoted (the
    filters refuse keys with an empty label or a `"`)."""
    return "$" + "".join(f'."{p}"' for p in key.split("."))


def meta_has(key: str) -> tuple[str, tuple]:
    """The metadata key is present (its value may be JSON null)."""
    return _meta_rows(key, "", (), "json_type(metadata, ?) IS NOT NULL", (json_path(key),))


def meta_equals(key: str, value: Any) -> tuple[str, tuple]:
    """The metadata value at key equals `value`: strings as text; numbers, booleans and null
    as JSON values, or as a string spelled the same (`"42"` matches 42)."""
    path = json_path(key)
    if isinstance(value, str):
        return _meta_rows(key, "type IN ('text', 'object', 'array') AND value = ?", (value,),
                          "json_extract(metadata, ?) = ?", (path, value))
    if value is None:
        return _meta_rows(key, "(type = 'null' OR (type = 'text' AND value = 'null'))", (),
                          "(json_type(metadata, ?) = 'null' OR json_extract(metadata, ?) = 'null')",
                          (path, path))
    if isinstance(value, bool):
        spelled = "true" if value else "false"
        return _meta_rows(key, "(type = ? OR (type = 'text' AND value = ?))", (spelled, spelled),
                          "(json_type(metadata, ?) = ? OR json_extract(metadata, ?) = ?)",
                          (path, spelled, path, spelled))
    # A number. SQLite reads a JSON integer beyond 64 bits as REAL: compare such a one as REAL.
    number = float(value) if abs(value) > MAX_INTEGER else value
    if isinstance(number, float):
        number = float(number)  # a bare float binds as REAL, whatever subclass it was
    text = getattr(value, "text", None) or json.dumps(value)  # `1.10` as typed (filters.Spelled)
    return _meta_rows(key, "((type IN ('integer', 'real') AND value = ?) "
                      "OR (type = 'text' AND value = ?))",
                      (number, text),
                      "((json_type(metadata, ?) IN ('integer', 'real') "
                      "AND json_extract(metadata, ?) = ?) OR json_extract(metadata, ?) = ?)",
                      (path, path, number, path, text))


def _meta_rows(key: str, test: str, params: tuple, nested: str, nested_params: tuple
               ) -> tuple[str, tuple]:
    """A condition answered from the execution_meta index (migration m050), which holds the
    top-level keys with their JSON type and value: a top-level key is tested there (`test`
    names the types it can match, so each branch is one range of the index). A dotted key
    `a.b` is the top-level key "a.b" as written, or the path a → b: for that, the rows whose
    first label holds an object, then only their JSON is read."""
    where = f"key = ? AND {test}" if test else "key = ?"
    flat = f"executions.id IN (SELECT execution_id FROM execution_meta WHERE {where})"
    first, _, rest = key.partition(".")
    if not rest:
        return flat, (key, *params)
    return (f"({flat} OR (executions.id IN (SELECT execution_id FROM execution_meta "
            f"WHERE key = ? AND type = 'object') AND {nested}))",
            (key, *params, first, *nested_params))


# A list whose only metadata test is `key = text` reads that test's index entries newest
# first and joins each to its row, instead of listing every matching id before it can order
# them (`id IN (…)` materialises the list: 120 ms for a value in a quarter of 1M rows).
META_LEAD_ID = "lead.execution_id"


def can_lead(key: str, value: Any) -> bool:
    """A top-level key compared with text that no object or array can equal: its matches are
    one range of the (key, type, value) index, already in id order."""
    return ("." not in key and isinstance(value, str)
            and not value.lstrip().startswith(("{", "[")))


def meta_lead_source() -> str:
    # CROSS JOIN keeps the index rows as the outer loop (SQLite never reorders it).
    return ("execution_meta AS lead CROSS JOIN executions "
            "ON executions.id = lead.execution_id")


def meta_lead_test(key: str, value: str) -> tuple[str, tuple]:
    """The leading test, on the joined index rows."""
    return "lead.key = ? AND lead.type = 'text' AND lead.value = ?", (key, value)


def fts_phrases(text: str) -> str:
    """User text as an FTS5 query that cannot be a syntax error: every word a quoted phrase
    (ANDed); a trailing * keeps its meaning as a prefix search."""
    words = text.split()
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
