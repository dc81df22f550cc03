"""Tools: Python functions named `package.module:function` that a model may ask to call.

The JSON schema the model sees comes from pydantic (the signature and type hints) plus the
docstring (summary, and Google-style `Args:` for parameter descriptions). The same pydantic
adapter validates the model's arguments and calls the function. Never imports litellm.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentlog.timeutil import now_iso

RESULT_LIMIT = 1000  # characters of a tool's result kept in the log (the model gets it all)
_SECTION = re.compile(r"^(Args|Arguments|Parameters|Returns|Raises|Examples?|Notes?):\s*$")
_ARG = re.compile(r"^\s+\**(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


class ToolError(ValueError):
    """A tool that cannot be imported or described; the message names the import path."""


@dataclass
class Tool:
    name: str
    function: Callable[..., Any]
    spec: dict[str, Any]  # the OpenAI `tools` entry
    adapter: Any  # pydantic TypeAdapter: validates the arguments and calls the function


def _docstring(fn: Callable) -> tuple[str | None, dict[str, str]]:
    """(description, {parameter: description}) from a Google-style docstring."""
    lines = (inspect.getdoc(fn) or "").splitlines()
    summary, params, section, last = [], {}, None, None
    for line in lines:
        header = _SECTION.match(line)
        if header:
            section = header.group(1)
            continue
        if section is None:
            summary.append(line.strip())
        elif section in ("Args", "Arguments", "Parameters"):
            arg = _ARG.match(line)
            if arg:
                last = arg.group(1)
                params[last] = arg.group(2).strip()
            elif line.strip() and last:
                params[last] = f"{params[last]} {line.strip()}".strip()
    description = " ".join(s for s in summary if s) or None
    return description, params


def _schema(fn: Callable, where: str) -> tuple[dict[str, Any], Any]:
    from pydantic import TypeAdapter

    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        raise ToolError(f"{where}: its signature cannot be read") from None
    for name, param in signature.parameters.items():
        if param.kind not in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY):
            raise ToolError(f"{where}: parameter '{name}' must be a named parameter "
                            "(no *args, **kwargs or positional-only)")
        if param.annotation is param.empty:
            raise ToolError(f"{where}: parameter '{name}' has no type hint")
    try:
        adapter = TypeAdapter(fn)
        schema = adapter.json_schema()
    except Exception as e:  # pydantic cannot describe some types (sockets, arbitrary classes)
        first = str(e).splitlines()[0].split(". ")[0]
        raise ToolError(f"{where}: its signature cannot be described as JSON schema ({first})") \
            from None
    return schema, adapter


def load(path: str, base: Path | None = None) -> Tool:
    """Import `package.module:function` (also from the agents file's directory `base`)."""
    module_name, sep, attr = path.partition(":")
    if not sep or not module_name or not attr:
        raise ToolError(f"'{path}' is not an import path of the form package.module:function")
    if base is not None and str(base) not in sys.path:
        sys.path.append(str(base))
    try:
        target: Any = importlib.import_module(module_name)
    except Exception as e:  # a missing module, or one that fails while importing
        raise ToolError(f"cannot import '{module_name}' for tool '{path}' "
                        f"({type(e).__name__}: {e})") from None
    for part in attr.split("."):
        if not hasattr(target, part):
            raise ToolError(f"tool '{path}': module '{module_name}' has no attribute '{attr}'")
        target = getattr(target, part)
    if not callable(target):
        raise ToolError(f"tool '{path}' is not callable")
    schema, adapter = _schema(target, f"tool '{path}'")
    description, params = _docstring(target)
    for name, text in params.items():
        schema.get("properties", {}).get(name, {}).setdefault("description", text)
    name = getattr(target, "__name__", attr.rsplit(".", 1)[-1])
    function = {"name": name, "parameters": schema}
    if description:
        function["description"] = description
    return Tool(name, target, {"type": "function", "function": function}, adapter)


def problems(paths: list[str], base: Path | None = None) -> list[str]:
    """Every tool that cannot be loaded or described, and duplicate tool names."""
    out, seen = [], {}
    for index, path in enumerate(paths):
        try:
            tool = load(path, base)
        except ToolError as e:
            out.append(f"key 'tools.{index}': {e}")
            continue
        if tool.name in seen:
            out.append(f"key 'tools.{index}': tool name '{tool.name}' is already used by "
                       f"'{seen[tool.name]}'")
        seen[tool.name] = path
    return out


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _validation_message(error) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                     for e in error.errors())


class Toolbox:
    """The tools of one agent, by name; `invoke` runs one tool call of the model."""

    def __init__(self, tools: list[Tool]):
        self.tools = {t.name: t for t in tools}

    @classmethod
    def load(cls, paths: list[str], base: Path | None = None) -> Toolbox:
        return cls([load(p, base) for p in paths])

    def specs(self) -> list[dict[str, Any]]:
        return [t.spec for t in self.tools.values()]

    def invoke(self, call: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """Run one requested call: (the record for the log, the content sent to the model).

        A tool that raises, an unknown tool or bad arguments give an error result that the
        model sees; they never end the execution.
        """
        from pydantic import ValidationError

        record: dict[str, Any] = {"id": call.get("id"), "name": call.get("name"),
                                  "arguments": call.get("arguments"), "result": None,
                                  "error": None}
        content = ""
        record["started_at"] = now_iso()
        start = time.monotonic()
        try:
            arguments = json.loads(call.get("arguments") or "{}")
            record["arguments"] = arguments
            tool = self.tools.get(call.get("name"))
            if tool is None:
                raise LookupError(f"unknown tool '{call.get('name')}' "
                                  f"(available: {', '.join(self.tools) or 'none'})")
            if not isinstance(arguments, dict):
                raise TypeError("arguments must be a JSON object")
            result = tool.adapter.validate_python(arguments)
            if inspect.isawaitable(result):
                result = asyncio.run(result)
            content = _text(result)
            record["result"] = content[:RESULT_LIMIT]
        except ValidationError as e:
            record["error"] = f"invalid arguments: {_validation_message(e)}"
        except Exception as e:  # the tool's own failure is reported to the model, not raised
            record["error"] = f"{type(e).__name__}: {e}"
        record["duration_ms"] = int((time.monotonic() - start) * 1000)
        if record["error"] is not None:
            content = f"error: {record['error']}"
        return record, content
