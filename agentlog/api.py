"""Running agents from Python: `from agentlog import run, arun`.

Each call logs exactly as `agentlog run` does. The agents file is loaded once per path (again
when it changes); each log is opened once per process, past the preflight of `agentlog run`
(writable, stale `running` rows marked Interrupted), and gives each thread its own connection.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentlog.errors import ConfigError, MissingParameter
from agentlog.store.records import Execution

_configs: dict[Path, tuple[tuple[int, int], Any]] = {}
_logs: dict[str, Any] = {}  # store.Log by where it is
_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()
ASYNC_WORKERS = 64  # arun() calls that may wait on a model at the same time


@dataclass(frozen=True)
class Result:
    """What one execution returned; `record` is the full logged row."""

    response: Any  # the answer: text, or the parsed object of a schema agent
    text: str | None
    execution_id: int
    status: str
    input_tokens: int | None
    output_tokens: int | None
    total_tokens: int | None
    cost: float | None
    duration_ms: int | None
    error: str | None
    record: Execution

    @property
    def ok(self) -> bool:
        return self.status == "success"


def _config(path: str | None):
    from agentlog import config

    resolved = config.config_path(path).resolve()
    try:
        stat = resolved.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        return config.load(path)  # reports the missing file
    with _lock:
        cached = _configs.get(resolved)
        if cached is None or cached[0] != stamp:
            _configs[resolved] = cached = (stamp, config.load(str(resolved)))
    return cached[1]


def _log(cfg, db: str | None):
    from agentlog import store

    where = store.locate(db, cfg.settings.db)
    with _lock:
        if where not in _logs:
            log = store.open(where)
            log.preflight()
            _logs[where] = log
        return _logs[where]


def run(agent: str, /, *, config: str | None = None, db: str | None = None,
        tenant: str | None = None, meta: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None, stream: bool | None = None,
        on_text: Callable[[str | None], None] | None = None, **kwargs: Any) -> Result:
    """Run `agent` with its parameters as keyword arguments (or `params=`) and log it.

    A failed execution is returned with its status and error; bad input (unknown agent,
    missing parameter, invalid agents file) raises ConfigError before anything is logged.
    """
    from agentlog.runner.execute import RunRequest, execute

    cfg = _config(config)
    request = RunRequest(agent=agent, params={**(params or {}), **kwargs}, meta=dict(meta or {}),
                         tenant=tenant, stream=stream)
    try:
        outcome = execute(cfg, request, _log(cfg, db), on_text=on_text)
    except MissingParameter as missing:
        raise ConfigError(missing.python_message()) from None
    e = outcome.execution
    return Result(
        response=outcome.output if outcome.output is not None else outcome.text,
        text=outcome.text, execution_id=e.id, status=e.status, input_tokens=e.input_tokens,
        output_tokens=e.output_tokens, total_tokens=e.total_tokens, cost=e.total_cost,
        duration_ms=e.duration_ms,
        error=f"{e.error_class}: {e.error_message}" if e.error_class else None, record=e)


async def arun(agent: str, /, **kwargs: Any) -> Result:
    """`run` for asyncio callers: the execution runs on a worker thread, the loop stays free."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(ASYNC_WORKERS, thread_name_prefix="agentlog-run")
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool, functools.partial(run, agent, **kwargs))
