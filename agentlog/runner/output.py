"""Structured output: the agent's `schema:` as the response format, the answer parsed and checked.

An answer that is not valid JSON or does not match the schema fails its attempt with
SchemaValidationError, so that the attempt loop moves on (retry or fallback) and, if nothing
fixes it, the execution ends with that error. The rejected reply still counts its tokens.
"""

from __future__ import annotations

import json
from typing import Any


class SchemaValidationError(Exception):
    """The model's answer does not match the agent's schema; carries the billed reply."""

    def __init__(self, message: str, reply: Any):
        super().__init__(message)
        self.message = message
        self.reply = reply


def response_format(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": "output", "schema": schema}}


def validated(reply: Any, schema: dict[str, Any]) -> Any:
    """The parsed answer of `reply`; SchemaValidationError (which fails the attempt) if invalid."""
    import jsonschema

    try:
        value = json.loads(reply.content or "")
    except json.JSONDecodeError as e:
        raise SchemaValidationError(
            f"the answer is not valid JSON: {e.msg} at position {e.pos}", reply) from None
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path)
        raise SchemaValidationError(
            f"the answer does not match the schema{f' at {where}' if where else ''}: "
            f"{e.message}", reply) from None
    return value


def schema_problem(schema: dict[str, Any]) -> str | None:
    """Why `schema` is not a valid JSON Schema, or None."""
    import jsonschema

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as e:
        return f"not a valid JSON Schema: {e.message}"
    return None
