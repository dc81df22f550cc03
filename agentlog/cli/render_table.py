"""The one table style of every command (list, report, agents, budgets, breakers, the batch
summary, show): no borders, bold headers, one space between columns. A cell stays on one
line and is cut with an ellipsis when the terminal is too narrow; only a column made with
`wrap=True` (a description) wraps, between words, and it gives up its width first."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Col:
    header: str = ""
    justify: str = "left"
    width: int | None = None
    min_width: int | None = None
    wrap: bool = False
    overflow: str = "ellipsis"
    style: str | None = None


def table(*columns: Col | str, header: bool = True, title: str | None = None,
          title_style: str | None = None):
    """A rich Table in the house style; a column given as a string is a left-aligned Col."""
    from rich.table import Table

    out = Table(box=None, show_header=header, show_edge=False, pad_edge=False,
                collapse_padding=True, padding=(0, 1), header_style="bold", title=title,
                title_style=title_style, title_justify="left")
    for col in columns:
        col = Col(col) if isinstance(col, str) else col
        out.add_column(col.header, justify=col.justify, width=col.width,
                       min_width=col.min_width, no_wrap=not col.wrap, overflow=col.overflow,
                       style=col.style)
    return out


def right(header: str) -> Col:
    return Col(header, justify="right")
