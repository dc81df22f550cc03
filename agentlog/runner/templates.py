"""Prompt templates rendered in Jinja2's sandbox with a bound on the work they may do.

The agents file is trusted to name models, not to run code: a template cannot reach Python
internals (the sandbox), and one that loops or grows without end stops with a TemplateBound
error instead of hanging `run`. The bounds:
- every `{% for %}` of one rendering together takes at most MAX_ITERATIONS items (the syntax
  tree is rewritten so that each loop's iterable is counted as it is consumed);
- the rendered text is at most MAX_OUTPUT characters (read as it is generated);
- no single operation builds a value past MAX_OUTPUT: `*` on text or lists, `**`, and calls
  given a count above MAX_OUTPUT (`'x'.ljust(n)`, `lipsum(n)`); `range()` is already capped by
  the sandbox.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

MAX_ITERATIONS = 1_000_000
MAX_OUTPUT = 10_000_000  # characters of one rendered prompt
MAX_EXPONENT = 10_000
_COUNTER = "_agentlog_loop_items"


class TemplateBound(Exception):
    """The template tried to do more work than a prompt needs."""


class _Budget:
    def __init__(self) -> None:
        self.items = 0

    def count(self, iterable: Iterable) -> Iterator:
        for item in iterable:
            self.items += 1
            if self.items > MAX_ITERATIONS:
                raise TemplateBound(f"its loops take more than {MAX_ITERATIONS:,} items")
            yield item


def _sized(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


@functools.cache
def environment():
    """The sandboxed Jinja2 environment of every prompt template (also used to check them)."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class Bounded(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context, operator, left, right):
            if operator == "**" and isinstance(right, int) and right > MAX_EXPONENT:
                raise TemplateBound(f"it raises to a power above {MAX_EXPONENT:,}")
            if operator == "*":
                for seq, times in ((left, right), (right, left)):
                    size = _sized(seq)
                    if size is not None and isinstance(times, int) and size * times > MAX_OUTPUT:
                        raise TemplateBound(f"it builds a value longer than {MAX_OUTPUT:,}")
            return super().call_binop(context, operator, left, right)

        def call(self, context, obj, *args, **kwargs):
            if any(isinstance(a, int) and not isinstance(a, bool) and a > MAX_OUTPUT
                   for a in (*args, *kwargs.values())):
                raise TemplateBound(f"it passes a count above {MAX_OUTPUT:,}")
            return super().call(context, obj, *args, **kwargs)

    return Bounded(undefined=StrictUndefined, keep_trailing_newline=True,
                   finalize=lambda v: "" if v is None else v)


@functools.lru_cache(maxsize=256)
def compile_template(source: str):
    """Compiled once per source (compiling costs more than rendering; batches render often).

    Raises jinja2.TemplateSyntaxError for a malformed template."""
    from jinja2 import nodes

    env = environment()
    tree = env.parse(source)
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Call(nodes.Getattr(nodes.Name(_COUNTER, "load"), "count", "load"),
                               [loop.iter], [], None, None)
    return env.from_string(tree)


def render(source: str, params: dict[str, Any]) -> str:
    """The template rendered with `params`; TemplateBound when it exceeds a bound."""
    pieces, size = [], 0
    for piece in compile_template(source).generate(**params, **{_COUNTER: _Budget()}):
        size += len(piece)
        if size > MAX_OUTPUT:
            raise TemplateBound(f"its text is longer than {MAX_OUTPUT:,} characters")
        pieces.append(piece)
    return "".join(pieces)
