"""The response cache of an agent with `cache: TTL`: the request's key, hits and new entries.

A hit is answered from the database alone (no litellm import, no HTTP request) and logged as an
execution with cache_hit=1, zero cost and the tokens of the execution that produced it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from agentlog.timeutil import parse_duration, to_iso


def key(prep) -> str:
    """Hash of everything that shapes the answer: the chain of models with their endpoints,
    the messages, temperature, max_tokens, schema and tools."""
    agent = prep.agent
    material = {
        "models": [{"model": t.model, "api_base": t.api_base, "params": t.litellm_params,
                    "mock": t.mock_response} for t in prep.targets],
        "messages": prep.messages,
        "temperature": agent.temperature,
        "max_tokens": agent.max_tokens,
        "schema": agent.output_schema,
        "tools": agent.tools,
    }
    blob = json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def lookup(log, cache_key: str, now: datetime) -> dict[str, Any] | None:
    return log.cache_get(cache_key, to_iso(now))


def hit_values(entry: dict[str, Any], keep_response: bool) -> dict[str, Any]:
    """The final columns of an execution answered from `entry`: its tokens, no cost."""
    tokens_in, tokens_out = entry["input_tokens"] or 0, entry["output_tokens"] or 0
    return {
        "status": "success", "cache_hit": True, "chosen_model_id": entry["model"],
        "provider": entry["provider"], "finish_reason": entry["finish_reason"],
        "response": entry["response"] if keep_response else None,
        "input_tokens": tokens_in, "output_tokens": tokens_out,
        "total_tokens": tokens_in + tokens_out, "cached_tokens": entry["cached_tokens"],
        "cache_creation_tokens": entry["cache_creation_tokens"],
        "reasoning_tokens": entry["reasoning_tokens"],
        "input_cost": 0.0, "output_cost": 0.0, "total_cost": 0.0, "cost_source": "cache",
        "attempts": [], "attempts_count": 0, "fallback_chain": [],
    }


def remember(log, cache_key: str, ttl: str, record, now: datetime) -> None:
    """Store the answer of a successful execution `record` for `ttl` (e.g. 1h)."""
    log.cache_put({
        "key": cache_key, "agent": record.agent_type, "model": record.chosen_model_id,
        "provider": record.provider, "response": record.response,
        "finish_reason": record.finish_reason,
        "input_tokens": record.input_tokens, "output_tokens": record.output_tokens,
        "cached_tokens": record.cached_tokens,
        "cache_creation_tokens": record.cache_creation_tokens,
        "reasoning_tokens": record.reasoning_tokens, "execution_id": record.id,
        "created_at": to_iso(now), "expires_at": to_iso(now + parse_duration(ttl)),
    })
