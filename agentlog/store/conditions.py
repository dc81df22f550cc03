"""The typed conditions a Query holds: what a filter asks of a row, as data. Each backend
spells them (SQLite: store/sqlite/select.py); column names are written in store/ only, values
travel as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Condition:
    @property
    def columns(self) -> frozenset[str]:
        """The columns the condition reads (the daily/hourly totals answer it if they keep
        every one)."""
        return frozenset(getattr(self, "among", None) or (self.column,))


@dataclass(frozen=True)
class OneOf(Condition):
    """Any of the columns `among` holds one of `values` (None: is NULL); no value: no row."""

    among: tuple[str, ...]
    values: tuple[Any, ...]


@dataclass(frozen=True)
class NoneOf(Condition):
    """The column holds none of `values`."""

    column: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class AtLeast(Condition):
    column: str
    value: float


@dataclass(frozen=True)
class Flag(Condition):
    """A 0/1 column is 1 (`yes`) or 0."""

    column: str
    yes: bool = True


@dataclass(frozen=True)
class Present(Condition):
    """The column has a value (`yes`) or is NULL."""

    column: str
    yes: bool = True


@dataclass(frozen=True)
class Blank(Condition):
    """The text column is NULL or empty (`yes`), or holds some text."""

    column: str
    yes: bool = True
