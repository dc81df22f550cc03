"""PostgreSQL spellings of what the shared filters leave to a dialect: their conditions
(written with `?` and SQLite's 0/1 flags) in psycopg's terms, metadata tests as jsonb
containment (answered by the GIN index on metadata), and full-text search as a `simple`
tsquery (answered by the GIN index on the search vector).
"""

from __future__ import annotations

import json
import re
from typing import Any

from agentlog.store.postgres.connect import sql
from agentlog.store.records import BOOL_COLUMNS

_FLAG = re.compile(r"\b(" + "|".join(sorted(BOOL_COLUMNS)) + r") = ([01])\b")


def condition(clause: str) -> str:
    """A shared filter's condition: placeholders as %s, `flag = 1` as a boolean test, and the
    condition `0` (no row) as false."""
    if clause.strip() == "0":
        return "false"
    return _FLAG.sub(lambda m: f"{m[1]} = {'true' if m[2] == '1' else 'false'}", sql(clause))


def _nested(key: str, value: Any) -> str:
    """`a.b` and a value as the JSON document {"a": {"b": value}}."""
    doc = value
    for label in reversed(key.split(".")):
        doc = {label: doc}
    return json.dumps(doc)


def meta_has(key: str) -> tuple[str, tuple]:
    """The metadata key is present (its value may be JSON null)."""
    labels = key.split(".")
    if len(labels) == 1:
        return "metadata ? %s", (key,)
    return "metadata #> %s IS NOT NULL", (labels,)


def meta_equals(key: str, value: Any) -> tuple[str, tuple]:
    """The value at key equals `value`: a string as text; a number, boolean or null as that
    JSON value, or as a string spelled the same (`"42"` matches 42), as on SQLite."""
    if isinstance(value, str):
        return "metadata @> %s::jsonb", (_nested(key, value),)
    return ("(metadata @> %s::jsonb OR metadata @> %s::jsonb)",
            (_nested(key, value), _nested(key, json.dumps(value))))


def tsquery(text: str) -> str:
    """User text as a tsquery that cannot be a syntax error: every word a quoted lexeme
    (ANDed); a trailing * keeps its meaning as a prefix search."""
    out = []
    for word in text.split():
        prefix = word.endswith("*") and len(word) > 1
        body = word.rstrip("*") if prefix else word
        out.append("'" + body.replace("\\", "\\\\").replace("'", "''") + "'"
                   + (":*" if prefix else ""))
    return " & ".join(out)


SEARCH = "search @@ to_tsquery('simple', %s)"
RANK = "ts_rank(search, to_tsquery('simple', %s))"
