"""The few settings that reading the log needs (db, timezone, tenant, retention), without pydantic.

Reading commands must start fast, so they neither validate the whole agents file nor import
pydantic; config.py does that where agents run. A missing agents file means defaults, and
yaml is imported only when there is a file to read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from agentlog.errors import ConfigError

DEFAULT_CONFIG = "agents.yaml"
MAX_DEPTH = 64  # levels of nesting in the agents file
MAX_VALUES = 1_000_000  # values in the agents file, counting each repetition of a YAML alias
MAX_DURATION_DAYS = 3650


@dataclass(frozen=True)
class ReadSettings:
    """The settings reading commands need: strings (retention may be a mapping, MAPPINGS).
    config.Settings declares its own fields of these names from this class, so the two lists
    are one."""

    db: str | None = None
    timezone: str | None = None
    tenant: str | None = None
    # What `prune` deletes by default: `30d` (the rows), or {payloads: 30d, rows: 365d}
    retention: str | dict[str, str] | None = None

    def current_tenant(self, explicit: str | None = None) -> str | None:
        return current_tenant(explicit, self.tenant)

    def retention_of(self, tier: str) -> str | None:
        """The default age of `prune` (tier `rows`) or of `prune --payloads` (`payloads`)."""
        if isinstance(self.retention, dict):
            return self.retention.get(tier)
        return self.retention if tier == "rows" else None


def check_zone(value: str) -> str:
    from agentlog.timeutil import get_zone

    get_zone(value)
    return value


def check_duration(value: str) -> str:
    from agentlog.timeutil import parse_duration

    if parse_duration(str(value)).days > MAX_DURATION_DAYS:
        raise ValueError(f"invalid duration {value!r}: too large (at most {MAX_DURATION_DAYS}d)")
    return value


RETENTION_TIERS = ("payloads", "rows")


def check_retention(value: str | dict) -> str | dict:
    if isinstance(value, str):
        return check_duration(value)
    if not isinstance(value, dict):
        raise ValueError("expected a duration such as 30d, or {payloads: 30d, rows: 365d}")
    for tier, age in value.items():
        if tier not in RETENTION_TIERS:
            raise ValueError(f"unknown key {tier!r} (expected payloads or rows)")
        if not isinstance(age, str):
            raise ValueError(f"{tier}: expected a duration such as 30d")
        check_duration(age)
    return value


# How a value of ReadSettings is checked beyond its type (ValueError: refused).
CHECKS: dict[str, Callable[[Any], Any]] = {"timezone": check_zone, "retention": check_retention}
# The settings that may be a mapping of strings instead of a string.
MAPPINGS = frozenset({"retention"})
READ_FIELDS = tuple(f.name for f in fields(ReadSettings))


def current_tenant(explicit: str | None, settings_tenant: str | None) -> str | None:
    """--tenant, then AGENTLOG_TENANT, then settings.tenant: what `run` records and what
    `--current-tenant` selects."""
    return explicit or os.environ.get("AGENTLOG_TENANT") or settings_tenant


def config_path(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("AGENTLOG_CONFIG") or DEFAULT_CONFIG).expanduser()


def read_yaml(path: Path) -> Any:
    """The parsed agents file; every way of failing is a ConfigError naming the file."""
    try:
        if path.exists() and not path.is_file() and not path.is_dir():
            # a FIFO would block the read until some writer opens it, a device never ends
            raise ConfigError(f"agents file is not a regular file: {path}")
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"agents file not found: {path} (`agentlog init` writes one with a demo agent; "
            "or use -c PATH or AGENTLOG_CONFIG)"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"agents file is a directory: {path}") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise ConfigError(f"cannot read agents file {path}: {e.strerror}") from None
    import yaml

    try:
        value = _load(text)
    except ConfigError as e:
        raise ConfigError(f"{path}: {e}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(f"{path}{where}: malformed YAML: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested deeper than {MAX_DEPTH} levels") from None
    check_shape(value, str(path))
    return value


def _load(text: str) -> Any:
    """yaml.safe_load, refusing a key given twice in one mapping (two agents of one name, a key
    repeated inside an agent), which YAML resolves silently by keeping the last. Keys merged in
    with `<<: *alias` may still be overridden, as YAML intends."""
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        duplicates = _duplicate_keys(root, yaml.MappingNode)
        if duplicates:
            raise ConfigError("; ".join(duplicates) + " (YAML would keep only the last)")
        return None if root is None else loader.construct_document(root)
    finally:
        loader.dispose()


def _duplicate_keys(root: Any, mapping_node: type) -> list[str]:
    """'duplicate key K at lines A and B' for each scalar key repeated in a mapping of `root`."""
    found, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node.value, list):
            is_mapping = isinstance(node, mapping_node)
            pairs = node.value if is_mapping else [(None, item) for item in node.value]
            lines: dict[tuple[str, str], int] = {}
            for key, value in pairs:
                stack.append(value)
                if key is None or key.tag == "tag:yaml.org,2002:merge" \
                        or not isinstance(key.value, str):
                    continue
                line = key.start_mark.line + 1
                first = lines.setdefault((key.tag, key.value), line)
                if first != line:
                    found.append(f"duplicate key '{key.value}' at lines {first} and {line}")
    return found


def check_shape(value: Any, where: str) -> None:
    """Refuse values nested deeper than MAX_DEPTH or holding more than MAX_VALUES values,
    which would crash or hang a later step. In the agents file YAML aliases build them: a node
    that contains itself nests without end, a few lines can repeat into millions of values.
    Refuse text that is not valid Unicode too (a lone surrogate, which JSON's and YAML's
    `\ud800` escapes make): it cannot be stored or sent."""
    stack, seen = [(value, 0)], 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if depth > MAX_DEPTH:
            raise ConfigError(f"{where}: nested deeper than {MAX_DEPTH} levels")
        if seen > MAX_VALUES:
            raise ConfigError(f"{where}: holds more than {MAX_VALUES:,} values")
        if isinstance(node, str):
            _check_unicode(node, where)
        elif isinstance(node, dict):
            stack.extend((k, depth + 1) for k in node if isinstance(k, str))
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def _check_unicode(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ConfigError(f"{where}: not valid Unicode text (lone surrogate "
                          f"{text[e.start]!a} at position {e.start})") from None


def load(explicit: str | None = None) -> ReadSettings:
    """db, timezone, tenant and retention of the agents file's `settings:`, checked one by one."""
    path = config_path(explicit)
    if explicit is None and not path.exists():
        return ReadSettings()
    raw = read_yaml(path)
    settings = raw.get("settings") if isinstance(raw, dict) else None
    if settings is None:
        return ReadSettings()
    if not isinstance(settings, dict):
        raise ConfigError(f"{path}: settings: expected a mapping")
    values = {}
    for key in READ_FIELDS:
        value = settings.get(key)
        if value is not None and not isinstance(value, str) and key not in MAPPINGS:
            raise ConfigError(f"{path}: settings: key '{key}': expected a string")
        if value is not None and key in CHECKS:
            try:
                CHECKS[key](value)
            except ValueError as e:
                raise ConfigError(f"{path}: settings: key '{key}': {e}") from None
        values[key] = value
    return ReadSettings(**values)
