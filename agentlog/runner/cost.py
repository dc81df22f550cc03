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


def worst_case(llm, models: list[str], messages: list[dict], max_tokens: int | None,
               pricing=None) -> float | None:
    """What one call may cost at most: the prompt's tokens and `max_tokens` (else the model's
    maximum output) at the dearest model of the chain. None when a model of the chain has
    no known price or token count: such an execution cannot be reserved."""
    dearest = 0.0
    for model in models:
        tokens_in = llm.prompt_tokens(model, messages)
        tokens_out = max_tokens or llm.max_output_tokens(model)
        if tokens_in is None or tokens_out is None:
            return None
        found = llm.price(model, tokens_in, tokens_out)
        if found is not None:
            cost = found[0] + found[1]
        elif pricing is not None:
            cost = (tokens_in * pricing.input_per_million
                    + tokens_out * pricing.output_per_million) / 1e6
        else:
            return None
        dearest = max(dearest, cost)
    return dearest
