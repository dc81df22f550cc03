"""The typed conditions a Query holds: what a filter asks of a row, as data. Each backend
spells them (SQLite: store/sqlite/select.py); column names are written in store/ only, values
travel as parameters.

Written as small slotted classes rather than frozen dataclasses: every command imports this
module, and the dataclasses' generated methods were most of its import time (bench/README,
"The store seam"). Condition gives each the same constructor, equality, hash and repr, and
refuses changes.
"""

from __future__ import annotations

from typing import Any


class Condition:
    __slots__: tuple[str, ...] = ()
    defaults: dict[str, Any] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(self.__slots__):
            raise TypeError(f"{type(self).__name__} takes {len(self.__slots__)} values")
        given = {**self.defaults, **dict(zip(self.__slots__, args, strict=False)), **kwargs}
        missing = [name for name in self.__slots__ if name not in given]
        if missing or len(given) != len(self.__slots__):
            raise TypeError(f"{type(self).__name__}: wrong or missing values {missing}")
        for name in self.__slots__:
            object.__setattr__(self, name, given[name])

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._values() == self._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        pairs = zip(self.__slots__, self._values(), strict=True)
        fields = ", ".join(f"{n}={v!r}" for n, v in pairs)
        return f"{type(self).__name__}({fields})"

    @property
    def reads(self) -> frozenset[str]:
        """The columns the condition reads (the daily/hourly totals answer it if they keep
        every one)."""
        return frozenset(getattr(self, "among", None) or (self.column,))


class OneOf(Condition):
    """Any of the columns `among` holds one of `values` (None: is NULL); no value: no row."""

    __slots__ = ("among", "values")
    among: tuple[str, ...]
    values: tuple[Any, ...]


class NoneOf(Condition):
    """The column holds none of `values`."""

    __slots__ = ("column", "values")
    column: str
    values: tuple[Any, ...]


class AtLeast(Condition):
    __slots__ = ("column", "value")
    column: str
    value: float


class Flag(Condition):
    """A 0/1 column is 1 (`yes`) or 0."""

    __slots__ = ("column", "yes")
    defaults = {"yes": True}
    column: str
    yes: bool


class Present(Condition):
    """The column has a value (`yes`) or is NULL."""

    __slots__ = ("column", "yes")
    defaults = {"yes": True}
    column: str
    yes: bool


class Blank(Condition):
    """The text column is NULL or empty (`yes`), or holds some text."""

    __slots__ = ("column", "yes")
    defaults = {"yes": True}
    column: str
    yes: bool


class Following(Condition):
    """The rows after one row in an order (keyset pagination): `keys` are column names, `-`
    for descending, unknown values (NULL) last either way; `values` are that row's."""

    __slots__ = ("keys", "values")
    keys: tuple[str, ...]
    values: tuple[Any, ...]

    @property
    def reads(self) -> frozenset[str]:
        return frozenset(k.lstrip("-") for k in self.keys)

