"""Pricing a reply: litellm's price map first, then the agent's own `pricing:`, then the cost an
OpenAI-compatible proxy reported, else unknown."""

from __future__ import annotations

from typing import Any


def price(llm, model: str, reply: Any, pricing=None) -> dict[str, Any]:
    """Cost columns for the tokens of `reply`, priced as the requested `model`.

    A proxy reports one total, so its input and output costs stay NULL. Unknown prices give
    NULL costs with cost_source 'unknown', never a made-up zero.
    """
    found = llm.price(model, reply.input_tokens, reply.output_tokens, reply.cached_tokens)
    if found is not None:
        input_cost, output_cost, source = found
    elif pricing is not None:
        input_cost = reply.input_tokens * pricing.input_per_million / 1e6
        output_cost = reply.output_tokens * pricing.output_per_million / 1e6
        source = "agent-pricing"
    elif reply.reported_cost is not None:
        return {"input_cost": None, "output_cost": None, "total_cost": reply.reported_cost,
                "cost_source": "provider-reported"}
    else:
        return {"input_cost": None, "output_cost": None, "total_cost": None,
                "cost_source": "unknown"}
    return {"input_cost": input_cost, "output_cost": output_cost,
            "total_cost": input_cost + output_cost, "cost_source": source}
