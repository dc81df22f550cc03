"""One vocabulary of column names for `list --columns`, `export --columns` and `--sort`
(and the Python API's `order_by`): every column of the log by its own name, and short names
for the everyday ones. An unknown name is one error everywhere, with the nearest name."""

from __future__ import annotations

from collections.abc import Sequence

from agentlog.errors import QueryError
from agentlog.store.records import FIELDS

SHORT = {"id": "id", "time": "created_at", "agent": "agent_type", "model": "chosen_model_id",
         "status": "status", "tokens": "total_tokens", "cost": "total_cost",
         "duration": "duration_ms", "tenant": "tenant_id", "batch": "batch_id",
         "version": "agent_version", "error": "error_class"}


def column(name: str, valid: Sequence[str] = FIELDS, extra: Sequence[str] = ()) -> str:
    """The log's column that `name` (a short name or a column) means; a name of `extra`
    (one only a caller knows, like list's `flags`) as it is."""
    if name in extra:
        return name
    found = SHORT.get(name, name)
    if found not in valid:
        raise unknown(name, valid, extra)
    return found


def unknown(name: str, valid: Sequence[str] = FIELDS, extra: Sequence[str] = ()) -> QueryError:
    import difflib

    close = difflib.get_close_matches(name, [*SHORT, *extra, *valid], n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return QueryError(f"unknown column '{name}'{hint}; choose from: {', '.join(SHORT)}, "
                      f"{', '.join(extra) + ', ' if extra else ''}or a column of the log: "
                      f"{', '.join(valid)}")


def pick(valid: Sequence[str], wanted: str | Sequence[str] | None,
         extra: Sequence[str] = ()) -> list[str]:
    """The named columns (`a,b,c` or a list, short names allowed) as columns of `valid`, in
    the given order; None: all of `valid`."""
    if wanted is None:
        return list(valid)
    names = wanted.split(",") if isinstance(wanted, str) else list(wanted)
    names = [n.strip() for n in names if n.strip()]
    if not names:
        raise QueryError(f"--columns needs at least one column; choose from: "
                         f"{', '.join(SHORT)}, or a column of the log: {', '.join(valid)}")
    out = [column(name, valid, extra) for name in names]
    for name, found in zip(names, out, strict=True):
        if out.count(found) > 1:
            raise QueryError(f"column '{name}' is given twice in --columns")
    return out
