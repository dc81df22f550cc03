"""Pricing a reply: litellm's price map first, then the agent's own `pricing:`, else unknown."""

from __future__ import annotations

from typing import Any


def price(llm, model: str, reply: Any, pricing=None) -> dict[str, Any]:
    """Cost columns for the tokens of `reply`, priced as the requested `model`.

    Unknown prices give NULL costs with cost_source 'unknown', never a made-up zero.
    """
    found = llm.price(model, reply.input_tokens, reply.output_tokens, reply.cached_tokens)
    if found is not None:
        input_cost, output_cost, source = found
    elif pricing is not None:
        input_cost = reply.input_tokens * pricing.input_per_million / 1e6
        output_cost = reply.output_tokens * pricing.output_per_million / 1e6
        source = "agent-pricing"
    else:
        return {"input_cost": None, "output_cost": None, "total_cost": None,
                "cost_source": "unknown"}
    return {"input_cost": input_cost, "output_cost": output_cost,
            "total_cost": input_cost + output_cost, "cost_source": source}
