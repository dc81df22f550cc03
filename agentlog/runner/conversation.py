"""A conversation with the model: one logical call per round, the requested tools run between.

Each round goes through the attempt loop (`Attempts.complete`), so retries and fallbacks apply
to every model call; `call` is how one request is made (streamed or not, answer checked
against the schema). Tool invocations are kept in `calls` even when a later round fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentlog.runner import output
from agentlog.runner.tools import Toolbox


class ToolRoundsExceeded(Exception):
    """The model still asked for tools after `max_tool_rounds` rounds."""


@dataclass
class Conversation:
    llm: Any
    messages: list[dict[str, Any]]
    toolbox: Toolbox | None = None
    max_rounds: int = 10
    schema: dict[str, Any] | None = None
    stream: bool = False
    on_text: Callable[[str | None], None] | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)  # the tool_calls column
    ttft_ms: int | None = None  # of the first round
    output: Any = None  # the parsed answer, for schema agents

    def call(self, **kwargs: Any) -> Any:
        """One request (the attempt loop's `call`): a failed schema check fails the attempt."""
        if self.stream:
            reply = self.llm.complete_stream(on_text=self.on_text, **kwargs)
        else:
            reply = self.llm.complete(**kwargs)
        if self.schema is not None and not reply.tool_calls:
            try:
                self.output = output.validated(reply, self.schema)
            except output.SchemaValidationError:
                if self.stream and self.on_text is not None:
                    self.on_text(None)  # what was shown is not the answer
                raise
        return reply

    def options(self) -> dict[str, Any]:
        """The litellm arguments every round carries: tools and the response format."""
        options: dict[str, Any] = {}
        if self.toolbox is not None:
            options["tools"] = self.toolbox.specs()
        if self.schema is not None:
            options["response_format"] = output.response_format(self.schema)
        return options

    def run(self, loop) -> Any:
        """The final Reply: the first answer that asks for no tool."""
        messages, options, rounds = list(self.messages), self.options(), 0
        while True:
            reply = loop.complete(messages, self.llm, **options)
            if rounds == 0:
                self.ttft_ms = reply.ttft_ms
            if not reply.tool_calls or self.toolbox is None:
                return reply
            if rounds == self.max_rounds:
                raise ToolRoundsExceeded(f"the model still asked for tools after {rounds} "
                                         "rounds (max_tool_rounds)")
            rounds += 1
            messages.append({"role": "assistant", "content": reply.content, "tool_calls": [
                {"id": c["id"], "type": "function",
                 "function": {"name": c["name"], "arguments": c["arguments"]}}
                for c in reply.tool_calls]})
            for call in reply.tool_calls:
                record, content = self.toolbox.invoke(call)
                self.calls.append(record)
                messages.append({"role": "tool", "tool_call_id": call["id"], "content": content})
