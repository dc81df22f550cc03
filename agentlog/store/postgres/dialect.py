"""PostgreSQL spellings of what the shared filters leave to a dialect: their typed
conditions (store/conditions.py) with psycopg's placeholders, metadata tests as jsonb
containment (answered by the GIN index on metadata), and full-text search as a `simple`
tsquery (answered by the GIN index on the search vector).
"""

from __future__ import annotations

import json
from typing import Any

from agentlog.store.conditions import (
    AtLeast,
    Blank,
    Condition,
    Flag,
    Following,
    NoneOf,
    OneOf,
    Present,
)


def condition_sql(c: Condition) -> tuple[str, list]:
    """One condition of store/conditions.py in PostgreSQL's spelling, and its parameters."""
    if isinstance(c, OneOf):
        known = [v for v in c.values if v is not None]
        # One value is an equality, which an index on (column, order key) returns in order;
        # for `= ANY(…)` the planner sorts.
        test, value = ("= %s", known[0]) if len(known) == 1 else ("= ANY(%s)", known)
        tests = [f"{column} {test}" for column in c.among if known]
        tests += [f"{column} IS NULL" for column in c.among if None in c.values]
        return " OR ".join(tests) or "false", [value] * len(c.among) if known else []
    if isinstance(c, NoneOf):
        return f"NOT ({c.column} = ANY(%s))", [list(c.values)]
    if isinstance(c, AtLeast):
        return f"{c.column} >= %s", [c.value]
    if isinstance(c, Flag):
        return f"{c.column} IS {'TRUE' if c.yes else 'FALSE'}", []
    if isinstance(c, Present):
        return f"{c.column} IS {'NOT ' if c.yes else ''}NULL", []
    if isinstance(c, Blank):
        return (f"{c.column} IS NULL OR {c.column} = ''" if c.yes
                else f"{c.column} IS NOT NULL AND {c.column} <> ''"), []
    if isinstance(c, Following):
        return _following(c)
    raise TypeError(f"no PostgreSQL spelling of {c!r}")


def _following(c: Following) -> tuple[str, list]:
    """As SQLite's: after the row on the first key that differs (NULLs last), equal
    (NULL-safe) on the keys before it."""
    branches, params, equal, equal_params = [], [], [], []
    for key, value in zip(c.keys, c.values, strict=True):
        name, desc = key.lstrip("-"), key.startswith("-")
        if value is not None:
            branches.append(" AND ".join(
                [*equal, f"({name} {'<' if desc else '>'} %s OR {name} IS NULL)"]))
            params += [*equal_params, value]
        equal.append(f"{name} IS NOT DISTINCT FROM %s")
        equal_params.append(value)
    return " OR ".join(f"({b})" for b in branches) or "false", params


def _nested(labels: list[str], value: Any) -> str:
    """["a", "b"] and a value as the JSON document {"a": {"b": value}}."""
    doc = value
    for label in reversed(labels):
        doc = {label: doc}
    return json.dumps(doc)


def meta_has(key: str) -> tuple[str, tuple]:
    """The metadata key is present (its value may be JSON null); a dotted key `a.b` is the
    top-level key "a.b" as written or the path a → b."""
    labels = key.split(".")
    if len(labels) == 1:
        return "metadata ? %s", (key,)
    return "(metadata ? %s OR metadata #> %s IS NOT NULL)", (key, labels)


def meta_equals(key: str, value: Any) -> tuple[str, tuple]:
    """The value at key equals `value`: a string as text; a number, boolean or null as that
    JSON value, or as a string spelled the same (`"42"` matches 42; `1.10` as typed matches
    "1.10"), as on SQLite. A dotted key matches as in meta_has."""
    docs = [value] if isinstance(value, str) else \
        [float(value) if isinstance(value, float) else value,
         getattr(value, "text", None) or json.dumps(value)]
    keys = [[key]] + ([key.split(".")] if "." in key else [])
    tests = [_nested(labels, doc) for labels in keys for doc in docs]
    return ("(" + " OR ".join(["metadata @> %s::jsonb"] * len(tests)) + ")", tuple(tests))


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
