"""`run --input FILE --estimate`: what a batch would cost, before it runs.

Every row's prompt is rendered as the run would render it and its input tokens counted by
litellm's token counter for each model of the agent's fallback chain. The output is assumed:
the agent's average output tokens in the log when it has successful history, else its
`max_tokens`. Prices come from litellm's price map (or the agent's `pricing:`). No model is
called and nothing is logged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from agentlog.errors import AgentlogError
from agentlog.runner.execute import RunRequest, prepare
from agentlog.store.query import Query


@dataclass
class ModelEstimate:
    model: str
    input_tokens: int = 0
    approximate: bool = False  # litellm counted with a stand-in tokenizer
    output_tokens: int | None = None
    input_cost: float | None = None
    output_cost: float | None = None

    @property
    def cost(self) -> float | None:
        if self.input_cost is None:
            return None
        return self.input_cost + (self.output_cost or 0.0)


@dataclass
class Estimate:
    agent: str
    rows: int
    output_basis: str  # history, max_tokens or unknown (output not counted)
    output_per_row: int | None
    models: list[ModelEstimate] = field(default_factory=list)
    invalid: list[dict] = field(default_factory=list)  # {line, error} of rows that cannot run

    @property
    def cost_range(self) -> tuple[float | None, float | None]:
        """Cheapest and dearest model of the chain, had every row gone to it."""
        known = [m.cost for m in self.models if m.cost is not None]
        return (min(known), max(known)) if known else (None, None)

    def to_dict(self) -> dict[str, Any]:
        low, high = self.cost_range
        return {"agent": self.agent, "rows": self.rows, "output_basis": self.output_basis,
                "output_tokens_per_row": self.output_per_row,
                "models": [{**asdict(m), "cost": m.cost} for m in self.models],
                "cost_min": low, "cost_max": high, "invalid": self.invalid}


def observed_output(log, agent: str) -> int | None:
    """Average output tokens of the agent's successful, uncached executions in the log."""
    if log is None:
        return None
    history = Query().by_agent(agent).successful().cache_miss()
    average = log.aggregate(history, ("avg", "output_tokens"))[0]
    return None if average is None else round(average)


def estimate(cfg, base: RunRequest, rows, log=None) -> Estimate:
    """The estimate of running `rows` (batch.Row) with `base`; `log` (None: no history) is
    only read."""
    from agentlog.runner import llm

    agent = cfg.agent(base.agent)
    observed = observed_output(log, agent.name)
    basis, per_row = ("history", observed) if observed is not None else \
        ("max_tokens", agent.max_tokens) if agent.max_tokens else ("unknown", None)
    models = [ModelEstimate(m.model) for m in agent.models()]
    found = Estimate(agent.name, 0, basis, per_row, models)
    for row in rows:
        if row.error:
            found.invalid.append({"line": row.line, "error": row.error})
            continue
        try:
            prep = prepare(cfg, replace(base, params={**base.params, **row.params}))
        except AgentlogError as e:
            found.invalid.append({"line": row.line, "error": str(e)})
            continue
        found.rows += 1
        for m in models:
            count, approximate = llm.count_tokens(m.model, prep.messages)
            m.input_tokens += count
            m.approximate = m.approximate or approximate
    for m in models:
        m.output_tokens = per_row * found.rows if per_row is not None else None
        _price(llm, m, agent.pricing)
    return found


def _price(llm, m: ModelEstimate, pricing) -> None:
    out = m.output_tokens or 0
    priced = llm.price(m.model, m.input_tokens, out)
    if priced is not None:
        m.input_cost, m.output_cost = priced[0], priced[1]
    elif pricing is not None:
        m.input_cost = m.input_tokens * pricing.input_per_million / 1e6
        m.output_cost = out * pricing.output_per_million / 1e6
    if m.output_tokens is None and m.output_cost is not None:
        m.output_cost = None  # unknown output: the cost is a lower bound, input only
