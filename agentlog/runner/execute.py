"""One execution of an agent, from parameters to a finalized row.

Every input error (unknown agent, parameters, templates, unset ${VAR}) is raised before the
database is touched. A cache hit or a budget refusal is logged as a finished row at once,
without loading litellm. Otherwise a `running` row is written and finalized whatever happens,
including Ctrl-C, so nothing is lost.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from agentlog.config import Agent, AgentsFile, interpolate
from agentlog.errors import ConfigError
from agentlog.readsettings import current_tenant
from agentlog.redact import Redactor
from agentlog.runner import budget, cache, prompt, tools
from agentlog.runner.attempts import AllAttemptsFailed, Attempts, Target
from agentlog.runner.breaker import Breaker
from agentlog.runner.conversation import Conversation, ToolRoundsExceeded
from agentlog.store.liveness import this_host
from agentlog.store.log import Log
from agentlog.store.records import Execution, encode
from agentlog.store.status import Overspent
from agentlog.timeutil import now_iso, to_iso, utcnow


@dataclass
class RunRequest:
    agent: str
    params: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    tenant: str | None = None
    batch_id: str | None = None
    use_cache: bool = True  # False: do not answer from the response cache (still fill it)
    stream: bool | None = None  # None: the agent's `stream:`


@dataclass
class Outcome:
    execution: Execution
    warnings: list[str] = field(default_factory=list)
    text: str | None = None  # the answer as the model gave it, even when it is not persisted
    output: Any = None  # the parsed answer of a schema agent
    redacted: Any = None  # output (else text) with secrets scrubbed: what files beside the log get

    @property
    def ok(self) -> bool:
        return self.execution.status == "success"


@dataclass
class Prepared:
    """Everything about an execution that is known before any model is called."""

    agent: Agent
    params: dict[str, Any]
    messages: list[dict[str, str]]
    targets: list[Target]
    redactor: Redactor
    row: dict[str, Any]
    toolbox: tools.Toolbox | None = None


def _targets(agent: Agent, path: str, secrets: set[str]) -> list[Target]:
    """The agent's models with their endpoints resolved; every api_key and every value read
    from the environment is added to `secrets`."""
    out = []
    for entry in agent.models():
        where = f"{path}: agent '{agent.name}': model '{entry.model}'"
        extra = {k: interpolate(v, f"{where}: litellm_params.{k}", secrets)
                 if isinstance(v, str) else v for k, v in entry.litellm_params.items()}
        target = Target(model=entry.model,
                        api_base=interpolate(entry.api_base, f"{where}: api_base", secrets),
                        api_key=interpolate(entry.api_key, f"{where}: api_key", secrets),
                        litellm_params=extra, mock_response=entry.mock_response)
        if target.api_key:
            secrets.add(target.api_key)
        out.append(target)
    return out


def prepare(cfg: AgentsFile, request: RunRequest) -> Prepared:
    agent = cfg.agent(request.agent)
    settings = cfg.settings
    params = prompt.bind(agent, request.params)
    system, user = prompt.render(agent, params)
    secrets: set[str] = set()  # an endpoint's key or URL must never reach the log
    targets = _targets(agent, cfg.path, secrets)
    redactor = Redactor(settings.redact)
    for secret in secrets:
        redactor.remember(secret)
    metadata = {**agent.metadata, **request.meta}
    redactor.collect(metadata)  # every secret is known before anything is masked
    stored_params = redactor.params(params)
    metadata = redactor.params(metadata)
    keep_prompts = agent.persist_prompts if agent.persist_prompts is not None \
        else settings.persist_prompts
    row = {
        "agent_type": agent.name,
        "agent_version": agent.version,
        "model_id": agent.model,
        "chosen_model_id": agent.model,
        "streaming": agent.stream if request.stream is None else request.stream,
        "temperature": agent.temperature,
        "max_tokens": agent.max_tokens,
        "parameters": stored_params,
        "metadata": metadata,
        "system_prompt": redactor.text(system) if keep_prompts else None,
        "user_prompt": redactor.text(user) if keep_prompts else None,
        "tenant_id": current_tenant(request.tenant, cfg.settings.tenant),
        "batch_id": request.batch_id,
        "pid": os.getpid(),
        "host": this_host(),
    }
    return Prepared(agent, params, prompt.messages(system, user), targets, redactor, row,
                    _toolbox(agent, cfg.path))


def _toolbox(agent: Agent, path: str) -> tools.Toolbox | None:
    if not agent.tools:
        return None
    try:
        return tools.Toolbox.load(agent.tools, Path(path).parent)
    except tools.ToolError as e:
        raise ConfigError(f"{path}: agent '{agent.name}': {e}") from None


def _logged_tool_calls(calls: list[dict[str, Any]], redactor: Redactor, keep: bool) -> list:
    """Tool calls as stored: secrets scrubbed, results dropped when responses are not kept."""
    return [{**c, "arguments": redactor.params(c["arguments"])
             if isinstance(c["arguments"], dict) else redactor.text(c["arguments"]),
             "result": redactor.text(c["result"]) if keep else None,
             "error": redactor.text(c["error"])} for c in calls]


def _attempt_sums(records: list[dict[str, Any]], costs: list[dict[str, Any]]) -> dict[str, Any]:
    billed = [r for r in records if r.get("input_tokens") is not None]
    tokens_in = sum(r["input_tokens"] for r in billed)
    tokens_out = sum(r["output_tokens"] for r in billed)
    out: dict[str, Any] = {"input_tokens": tokens_in, "output_tokens": tokens_out,
                           "total_tokens": tokens_in + tokens_out}
    if not costs:
        return {**out, "input_cost": None, "output_cost": None, "total_cost": None,
                "cost_source": None}
    if any(c["total_cost"] is None for c in costs):
        return {**out, "input_cost": None, "output_cost": None, "total_cost": None,
                "cost_source": "unknown"}
    def total(key: str) -> float | None:  # a proxy-reported cost has no input/output split
        values = [c[key] for c in costs]
        return None if None in values else sum(values)

    sources = sorted({c["cost_source"] for c in costs})
    return {**out, "input_cost": total("input_cost"), "output_cost": total("output_cost"),
            "total_cost": total("total_cost"), "cost_source": ",".join(sources)}


def _keep_responses(cfg: AgentsFile, agent: Agent) -> bool:
    return agent.persist_responses if agent.persist_responses is not None \
        else cfg.settings.persist_responses


def _begin(prep: Prepared) -> tuple[dict[str, Any], float, datetime]:
    """The row of an execution that starts now, its monotonic start and its UTC start."""
    started = utcnow()
    row = {**prep.row, "created_at": to_iso(started), "started_at": to_iso(started),
           "deadline_at": to_iso(started + timedelta(seconds=prep.agent.total_timeout))}
    return row, time.monotonic(), started


def execute(cfg: AgentsFile, request: RunRequest, log: Log,
            on_text: Callable[[str | None], None] | None = None,
            prepared: Prepared | None = None) -> Outcome:
    """Run one execution and return its finalized record.

    `on_text` receives a streamed answer piece by piece (None: discard what was shown);
    `prepared` is `prepare(cfg, request)` when the caller has it already. With
    `settings.otlp`, the record is queued for the OpenTelemetry collector.
    """
    outcome = _execute(cfg, request, log, on_text, prepared)
    if cfg.settings.otlp is not None:
        from agentlog.otel import live

        live.send(cfg.settings.otlp, log, outcome.execution)
    return outcome


def _execute(cfg: AgentsFile, request: RunRequest, log: Log,
             on_text: Callable[[str | None], None] | None,
             prepared: Prepared | None) -> Outcome:
    prep = prepared or prepare(cfg, request)
    agent = prep.agent
    row, start, started = _begin(prep)
    cache_key = cache.key(prep) if agent.cache else None
    if cache_key and request.use_cache:
        entry = cache.lookup(log, cache_key, started)
        if entry is not None:
            return _instant(log, row, cache.hit_values(entry, _keep_responses(cfg, agent)),
                            start)
    refusal, warnings = budget.check(log, cfg.settings, agent.name, row["tenant_id"], started)
    if refusal is not None:
        return _refused(log, row, refusal, start)
    outcome = _call_models(cfg, prep, log, on_text)
    outcome.warnings[:0] = warnings
    if cache_key and outcome.ok and outcome.execution.response is not None:
        cache.remember(log, cache_key, agent.cache, outcome.execution, utcnow())
    if cfg.settings.alerts.webhook:  # the row is final: what it started may be notified
        from agentlog.runner import alerts

        alerts.after(cfg, log, outcome.execution)
    return outcome


def _refused(log: Log, row: dict[str, Any], refusal: str, start: float) -> Outcome:
    return _instant(log, row, {
        "status": "error", "error_class": "BudgetExceeded", "error_message": refusal,
        "input_tokens": 0, "output_tokens": 0, "total_tokens": 0, "input_cost": 0.0,
        "output_cost": 0.0, "total_cost": 0.0, "attempts": [], "attempts_count": 0,
        "fallback_chain": []}, start)


def _instant(log: Log, row: dict[str, Any], final: dict[str, Any],
             start: float) -> Outcome:
    """Log an execution that needs no model call (a cache hit, a refusal) as one final row."""
    values = {**row, **final, "completed_at": now_iso(),
              "duration_ms": int((time.monotonic() - start) * 1000)}
    record = log.get(log.insert(values))
    return Outcome(record, text=record.response, redacted=record.response)


def _call_models(cfg: AgentsFile, prep: Prepared, log: Log,
                 on_text: Callable[[str | None], None] | None) -> Outcome:
    from agentlog.runner import llm  # the call path is the only one that pays for litellm
    from agentlog.runner.cost import price, worst_case

    llm.warm_up()
    row, start, started = _begin(prep)  # the clock starts once litellm is loaded and set up
    hold = budget.hold(cfg.settings, prep.agent.name, row["tenant_id"], started,
                       lambda: worst_case(llm, [t.model for t in prep.targets], prep.messages,
                                          prep.agent.max_tokens, prep.agent.pricing))

    agent, redactor = prep.agent, prep.redactor
    costs: list[dict[str, Any]] = []

    def pricer(model: str, reply) -> dict[str, Any]:
        found = price(llm, model, reply, agent.pricing)
        costs.append(found)
        return found

    breaker = Breaker(log, agent.name, agent.circuit_breaker, now=utcnow) \
        if agent.circuit_breaker else None
    convo = Conversation(llm, prep.messages, prep.toolbox, agent.max_tool_rounds,
                         agent.output_schema, bool(row["streaming"]), on_text)
    keep = _keep_responses(cfg, agent)
    loop = Attempts(prep.targets, timeout=agent.timeout, temperature=agent.temperature,
                    max_tokens=agent.max_tokens, pricer=pricer, retries=agent.retries,
                    total_timeout=agent.total_timeout, breaker=breaker, call=convo.call)
    try:
        execution_id = log.start(row, hold) if hold else log.start(row)
    except Overspent as e:  # another execution reserved what was left meanwhile
        return _refused(log, row, str(e), start)
    final: dict[str, Any] = {}
    text = None
    try:
        reply = convo.run(loop)
        text = reply.content
        final = {"status": "success", "finish_reason": reply.finish_reason,
                 "response": redactor.text(reply.content) if keep else None,
                 "cached_tokens": reply.cached_tokens,
                 "cache_creation_tokens": reply.cache_creation_tokens,
                 "reasoning_tokens": reply.reasoning_tokens,
                 "response_model": reply.response_model, "response_id": reply.response_id}
    except AllAttemptsFailed as e:
        failure = e.failure
        final = {"status": "timeout" if failure.is_timeout else "error",
                 "error_class": failure.error_class,
                 "error_message": redactor.clipped(failure.message),
                 "retryable": failure.retryable}
    except ToolRoundsExceeded as e:
        final = {"status": "error", "error_class": "ToolRoundsExceeded", "error_message": str(e)}
    except BaseException as e:  # Ctrl-C or a bug: the row is still finalized, then re-raised
        final = {"status": "error",
                 "error_class": "Interrupted" if isinstance(e, KeyboardInterrupt)
                 else type(e).__name__,
                 "error_message": redactor.clipped(str(e)) or "interrupted"}
        raise
    finally:
        chosen = loop.chosen.model if loop.chosen else agent.model
        for record in loop.records:
            record["error_message"] = redactor.clipped(record.get("error_message"))
        final.update(_attempt_sums(loop.records, costs))
        final.update(
            completed_at=now_iso(), duration_ms=int((time.monotonic() - start) * 1000),
            chosen_model_id=chosen, provider=llm.provider(chosen),
            attempts=loop.records, attempts_count=len(loop.records),
            fallback_chain=loop.chain, fallback_reason=loop.fallback_reason,
            rate_limited=any(r.get("rate_limited") for r in loop.records),
            time_to_first_token_ms=convo.ttft_ms, tool_calls_count=len(convo.calls),
            server_address=loop.records[-1]["server_address"] if loop.records else None,
            server_port=loop.records[-1]["server_port"] if loop.records else None,
            tool_calls=_logged_tool_calls(convo.calls, redactor, keep) if agent.tools else None,
        )
        log.finalize(execution_id, final, background=cfg.settings.async_logging)
    warnings = []
    if final.get("cost_source") == "unknown":
        warnings.append(f"warning: no price known for model '{chosen}'; cost recorded as "
                        "unknown (add pricing: to the agent)")
    record = Execution.from_row(encode({**row, **final, "id": execution_id}))
    redacted = redactor.params(convo.output) if convo.output is not None \
        else redactor.text(text)
    return Outcome(record, warnings, text, convo.output, redacted)
