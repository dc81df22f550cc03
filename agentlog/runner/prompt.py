"""Parameters and prompts: collecting values, checking them against the agent, rendering."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentlog.errors import ConfigError, MissingParameter
from agentlog.readsettings import check_shape


def read_file(path: str, what: str) -> str:
    """The UTF-8 text of a file the user named; `what` names it in the error."""
    resolved = Path(path).expanduser()
    try:
        return resolved.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {resolved}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{what} is not UTF-8 text: {resolved}") from None
    except OSError as e:
        raise ConfigError(f"cannot read {what} {resolved}: {e.strerror}") from None


def _stdin() -> str:
    import sys

    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("the parameter read from stdin (@-) is not UTF-8 text") from None


def read_value(value: str) -> str:
    """`@-` reads the parameter from stdin, `@path` from a file; anything else is taken as
    it is."""
    if value == "@-":
        return _stdin()
    return read_file(value[1:], "parameter file") if value.startswith("@") else value


def parse_pairs(pairs: list[str], option: str) -> dict[str, str]:
    """`key=value` strings (from -p or --meta) into a dict; a malformed one is an error."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{option} expects key=value, got '{pair}'")
        out[key.strip()] = value
    return out


def collect(pairs: list[str], params_json: str | None) -> dict[str, Any]:
    """Parameters from --params-json first, then -p key=value (which wins)."""
    pairs_given = parse_pairs(pairs, "-p")
    from_stdin = [f"-p {k}" for k, v in pairs_given.items() if v == "@-"] \
        + (["--params-json"] if params_json == "@-" else [])
    if len(from_stdin) > 1:
        raise ConfigError(f"only one parameter can be read from stdin (@-), got "
                          f"{' and '.join(from_stdin)}")
    params: dict[str, Any] = {}
    if params_json:
        try:
            loaded = json.loads(read_value(params_json))
        except json.JSONDecodeError as e:
            raise ConfigError(f"--params-json is not valid JSON: {e.msg} at position {e.pos}") \
                from None
        except RecursionError:
            raise ConfigError("--params-json is nested too deeply") from None
        if not isinstance(loaded, dict):
            raise ConfigError("--params-json must be a JSON object")
        params.update(loaded)
    params.update({k: read_value(v) for k, v in pairs_given.items()})
    return params


def bind(agent, given: dict[str, Any]) -> dict[str, Any]:
    """Check the given parameters against the agent's and fill in defaults."""
    specs = agent.param_specs()
    unknown = sorted(set(given) - set(specs))
    if unknown:
        known = ", ".join(sorted(specs)) or "none"
        raise ConfigError(f"agent '{agent.name}': unknown parameter '{unknown[0]}' "
                          f"(declared: {known})")
    bound = {}
    for name, spec in specs.items():
        if name in given:
            check_shape(given[name], f"agent '{agent.name}': parameter '{name}'")
            bound[name] = given[name]
        elif spec.is_required:
            raise MissingParameter(agent.name, name)
        else:
            bound[name] = spec.default
    return bound


def render(agent, params: dict[str, Any]) -> tuple[str | None, str]:
    """(system prompt, user prompt) rendered with StrictUndefined, in a bounded sandbox."""
    from jinja2 import TemplateError

    from agentlog.runner import templates

    out = []
    for key in ("system", "prompt"):
        source = getattr(agent, key)
        if source is None:
            out.append(None)
            continue
        try:
            out.append(templates.render(source, params))
        except templates.TemplateBound as e:
            raise ConfigError(f"agent '{agent.name}': key '{key}': template stopped: {e}") \
                from None
        except TemplateError as e:
            raise ConfigError(f"agent '{agent.name}': key '{key}': template error: {e}") \
                from None
        except Exception as e:  # the template's own expression failed: {{ 1/0 }}, {{ x + 1 }}
            raise ConfigError(f"agent '{agent.name}': key '{key}': template error: "
                              f"{type(e).__name__}: {e}") from None
    return out[0], out[1]


def messages(system: str | None, user: str) -> list[dict[str, str]]:
    out = [{"role": "system", "content": system}] if system else []
    return [*out, {"role": "user", "content": user}]
