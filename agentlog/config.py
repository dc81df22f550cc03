"""The agents file: load, validate (pydantic), resolve defaults and ${VAR} references.

Heavy imports (yaml, pydantic, jinja2) happen here, so only commands that need the agents
file pay for them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator

from agentlog.errors import ConfigError
from agentlog.readsettings import (
    CHECKS,
    MAPPINGS,
    READ_FIELDS,
    check_duration,
    config_path,
    read_yaml,
)
from agentlog.redact import DEFAULT_PATTERNS

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


# Seconds and durations are bounded so that every deadline, expiry and reopen time they add to
# "now" is a date the clock can hold (and NaN or infinity are refused: allow_inf_nan).
MAX_SECONDS = 30 * 86400


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


def _check_duration(value: str | None) -> str | None:
    return value if value is None else check_duration(value)


class RetryPolicy(_Strict):
    max: int = Field(2, ge=0, le=20)
    backoff: Literal["exponential", "constant"] = "exponential"
    base: float = Field(0.5, ge=0, le=MAX_SECONDS)
    max_delay: float = Field(8.0, ge=0, le=MAX_SECONDS)
    jitter: bool = True


class BreakerPolicy(_Strict):
    errors: int = Field(5, ge=1)
    within: float = Field(60.0, gt=0, le=MAX_SECONDS)
    cooldown: float = Field(300.0, gt=0, le=MAX_SECONDS)


class ParamSpec(_Strict):
    required: bool | None = None
    default: Any = None
    description: str | None = None

    @property
    def is_required(self) -> bool:
        return self.required if self.required is not None else self.default is None


class Pricing(_Strict):
    input_per_million: float = Field(ge=0)
    output_per_million: float = Field(ge=0)


class ModelEntry(_Strict):
    """A fallback model given as a mapping, with an endpoint of its own."""

    model: str = Field(min_length=1)
    api_base: str | None = None
    api_key: str | None = None
    litellm_params: dict[str, Any] = Field(default_factory=dict)
    mock_response: str | dict[str, Any] | None = None


class BudgetLimit(_Strict):
    daily: float | None = Field(None, ge=0)
    monthly: float | None = Field(None, ge=0)


class Budgets(_Strict):
    daily: float | None = Field(None, ge=0)
    monthly: float | None = Field(None, ge=0)
    per_agent: dict[str, BudgetLimit] = Field(default_factory=dict)
    per_tenant: dict[str, BudgetLimit] = Field(default_factory=dict)
    enforcement: Literal["hard", "soft", "none"] = "hard"


class ErrorSpike(_Strict):
    errors: int = Field(5, ge=1)
    within: str | float = "15m"  # a duration (15m) or seconds

    @field_validator("within")
    @classmethod
    def _within(cls, value):
        if isinstance(value, str):
            return check_duration(value)
        if not 0 < value <= MAX_SECONDS:
            raise ValueError(f"expected seconds in (0, {MAX_SECONDS}], or a duration like 15m")
        return value

    @property
    def window(self) -> timedelta:
        if isinstance(self.within, str):
            from agentlog.timeutil import parse_duration

            return parse_duration(self.within)
        return timedelta(seconds=self.within)


class Alerts(_Strict):
    """What `agentlog alerts` and the dashboard call attention, and where runs notify it."""

    webhook: str | None = None  # ${VAR} read when a notification is sent
    budget_thresholds: list[float] = Field(default_factory=lambda: [0.8, 1.0], min_length=1)
    error_spike: ErrorSpike | None = Field(default_factory=ErrorSpike)
    breakers: bool = True
    dashboard_url: str | None = None
    timeout: float = Field(3.0, gt=0, le=30)  # seconds for one webhook POST

    @field_validator("budget_thresholds")
    @classmethod
    def _thresholds(cls, value: list[float]) -> list[float]:
        if any(not 0 < t <= 10 for t in value):
            raise ValueError("each threshold is a fraction of the budget in (0, 10], e.g. 0.8")
        return sorted(set(value))


# The settings reading commands read without pydantic, declared once (readsettings.py).
_ReadFields = create_model("_ReadFields", __base__=_Strict,
                           **{name: (str | dict[str, str] | None if name in MAPPINGS
                                     else str | None, None) for name in READ_FIELDS})


class OtlpSettings(_Strict):
    """Live export of each execution to an OpenTelemetry collector (agentlog/otel/live.py)."""

    endpoint: str | None = None  # default: $OTEL_EXPORTER_OTLP_ENDPOINT, else 127.0.0.1:4318
    headers: dict[str, str] = Field(default_factory=dict)


class Settings(_ReadFields):
    persist_prompts: bool = True
    persist_responses: bool = True
    redact: list[str] = Field(default_factory=lambda: list(DEFAULT_PATTERNS))
    budgets: Budgets | None = None
    alerts: Alerts = Field(default_factory=Alerts)
    async_logging: bool = False
    otlp: OtlpSettings | None = None

    @field_validator(*CHECKS)
    @classmethod
    def _read_checks(cls, value, info):
        return value if value is None else CHECKS[info.field_name](value)

    @field_validator("redact")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if pattern.startswith("re:"):
                try:
                    re.compile(pattern[3:])
                except re.error as e:
                    raise ValueError(f"invalid regular expression {pattern!r}: {e}") from None
        return value


class Agent(_Strict):
    name: str = ""
    description: str | None = None
    model: str = Field(min_length=1)
    fallback_models: list[str | ModelEntry] = Field(default_factory=list)
    api_base: str | None = None
    api_key: str | None = None
    litellm_params: dict[str, Any] = Field(default_factory=dict)
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: int | None = Field(None, gt=0)
    timeout: float = Field(60.0, gt=0, le=MAX_SECONDS)
    total_timeout: float = Field(300.0, gt=0, le=MAX_SECONDS)
    retries: RetryPolicy = Field(default_factory=RetryPolicy)
    circuit_breaker: BreakerPolicy | None = None
    cache: str | None = None
    stream: bool = False
    params: dict[str, ParamSpec | None] = Field(default_factory=dict)
    system: str | None = None
    prompt: str = Field(min_length=1)
    output_schema: dict[str, Any] | None = Field(None, alias="schema")
    tools: list[str] = Field(default_factory=list)
    max_tool_rounds: int = Field(10, ge=1)
    metadata: dict[str, Any] = Field(default_factory=dict)
    pricing: Pricing | None = None
    mock_response: str | dict[str, Any] | None = None
    persist_prompts: bool | None = None
    persist_responses: bool | None = None

    _cache = field_validator("cache")(_check_duration)

    def param_specs(self) -> dict[str, ParamSpec]:
        return {k: v or ParamSpec() for k, v in self.params.items()}

    def models(self) -> list[ModelEntry]:
        """The primary model followed by the fallbacks, each with its own endpoint."""
        primary = ModelEntry(model=self.model, api_base=self.api_base, api_key=self.api_key,
                             litellm_params=self.litellm_params, mock_response=self.mock_response)
        rest = [ModelEntry(model=m, mock_response=self.mock_response) if isinstance(m, str) else m
                for m in self.fallback_models]
        return [primary, *rest]

    @property
    def version(self) -> str:
        """Short stable hash of what changes the agent's behaviour (not its description)."""
        data = self.model_dump(mode="json", by_alias=True,
                               exclude={"name", "description", "metadata", "api_key"})
        blob = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


class AgentsFile(_Strict):
    settings: Settings = Field(default_factory=Settings)
    agents: dict[str, Agent] = Field(default_factory=dict)
    path: str = Field("", exclude=True)

    def agent(self, name: str) -> Agent:
        try:
            return self.agents[name]
        except KeyError:
            known = ", ".join(sorted(self.agents)) or "none"
            raise ConfigError(f"{self.path}: unknown agent '{name}' (known: {known})") from None


def _describe(path: Path, loc: tuple, msg: str) -> str:
    parts = [str(p) for p in loc]
    if parts[:1] == ["agents"] and len(parts) >= 2:
        where = f"agent '{parts[1]}'"
        keys = parts[2:]
    elif parts[:1] == ["settings"]:
        where, keys = "settings", parts[1:]
    else:
        where, keys = "top level", parts
    # pydantic reports union alternatives with their type names; keep the user's keys only.
    keys = [k for k in keys if not k.startswith(("str", "dict[", "ModelEntry", "function-"))]
    key = f": key '{'.'.join(keys)}'" if keys else ""
    if msg == "Extra inputs are not permitted":
        msg = "unknown key" + _nearest_key(parts[:1], keys)
    msg = msg.removeprefix("Value error, ")
    return f"{path}: {where}{key}: {msg}"


def _nearest_key(section: list[str], keys: list[str]) -> str:
    """` (did you mean 'temperature'?)` for a mistyped key of an agent or of settings."""
    import difflib

    if len(keys) != 1:
        return ""
    model = {"agents": Agent, "settings": Settings}.get(section[0] if section else "")
    if model is None:
        return ""
    names = [f.alias or name for name, f in model.model_fields.items()]
    close = difflib.get_close_matches(keys[0], names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _problems(path: Path, raw: Any) -> tuple[AgentsFile | None, list[str]]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return None, [f"{path}: top level: expected a mapping with 'settings' and 'agents'"]
    try:
        parsed = AgentsFile.model_validate({**raw, "path": str(path)})
    except ValidationError as e:
        return None, list(dict.fromkeys(_describe(path, err["loc"], err["msg"])
                                        for err in e.errors()))
    problems = []
    budgets = parsed.settings.budgets
    for name in sorted(set(budgets.per_agent) - set(parsed.agents)) if budgets else []:
        problems.append(f"{path}: settings: key 'budgets.per_agent.{name}': unknown agent "
                        f"(known: {', '.join(sorted(parsed.agents)) or 'none'})")
    for name, agent in parsed.agents.items():
        agent.name = name
        if not _NAME.match(name):
            problems.append(f"{path}: agent '{name}': name may hold only letters, digits, _ . -")
        problems += [f"{path}: agent '{name}': {p}"
                     for p in (*_template_problems(agent), *_tool_problems(agent, path))]
    return parsed, problems


def _tool_problems(agent: Agent, path: Path) -> list[str]:
    """Tools that cannot be imported or described, and a schema that is not JSON Schema.

    This imports the tools' modules (never litellm).
    """
    out = []
    if agent.tools:
        from agentlog.runner import tools

        out += tools.problems(agent.tools, path.parent)
    if agent.output_schema is not None:
        from agentlog.runner.output import schema_problem

        problem = schema_problem(agent.output_schema)
        out += [f"key 'schema': {problem}"] if problem else []
    return out


def _template_problems(agent: Agent) -> list[str]:
    from jinja2 import TemplateSyntaxError, meta

    from agentlog.runner.templates import environment

    env = environment()  # the sandbox folds no constant: `{{ 2 ** 10**9 }}` is not computed here
    declared = set(agent.params)
    out = []
    for key in ("system", "prompt"):
        source = getattr(agent, key)
        if source is None:
            continue
        try:
            used = meta.find_undeclared_variables(env.parse(source))
        except TemplateSyntaxError as e:
            out.append(f"key '{key}': template error at line {e.lineno}: {e.message}")
            continue
        for var in sorted(used - declared):
            out.append(f"key '{key}': uses '{{{{ {var} }}}}' which is not declared in params")
    return out


def validate(path: Path) -> tuple[list[str], list[str]]:
    """Every problem of the agents file, and every warning, one line each.

    A warning names a model that litellm's price map does not know and nothing else prices or
    routes: a call to it may fail, and its cost would be unknown.
    """
    parsed, problems = _problems(path, read_yaml(path))
    if parsed is None:
        return problems, []
    if not parsed.agents and not problems:
        problems.append(f"{path}: no agents defined (add one under 'agents:'; "
                        "agents.yaml.example shows every key)")
    from agentlog import pricemap

    warnings = [f"{path}: agent '{name}': model '{model}' is not in litellm's price map; "
                f"give the agent 'pricing:', or an api_base for an openai/... model"
                for name, agent in parsed.agents.items() for model in pricemap.unpriced(agent)]
    return problems, warnings


def load(explicit: str | None = None) -> AgentsFile:
    """Load and validate the agents file; the first problem becomes a ConfigError."""
    path = config_path(explicit)
    parsed, problems = _problems(path, read_yaml(path))
    if problems:
        more = f" (and {len(problems) - 1} more: run 'agentlog agents validate')" \
            if len(problems) > 1 else ""
        raise ConfigError(problems[0] + more)
    assert parsed is not None
    return parsed


def interpolate(value: str | None, where: str, read: set[str] | None = None) -> str | None:
    """Replace ${VAR} with the environment's value; an unset variable is a ConfigError.
    The values read are added to `read` (they are secrets: keys, tokens in URLs)."""
    if value is None:
        return None

    def sub(match: re.Match) -> str:
        var = match.group(1)
        if var not in os.environ:
            raise ConfigError(f"{where}: environment variable {var} is not set")
        if read is not None:
            read.add(os.environ[var])
        return os.environ[var]

    return _ENV_REF.sub(sub, value)
