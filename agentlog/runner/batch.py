"""Batch runs: one execution per input row, N at a time, results in input order.

Rows come from JSONL (one params object per line) or CSV (header = parameter names). Worker
threads share one Log, which gives each of them its own connection. A bad row is
reported with its line number and skipped; a failing row never stops the batch. The first
Ctrl-C stops launching rows and lets running ones finish; a second one stops waiting and
finalizes the rows still running as error `Interrupted`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import queue
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from agentlog.config import AgentsFile
from agentlog.errors import AgentlogError, ConfigError, StoreError
from agentlog.money import usd
from agentlog.runner.execute import Outcome, RunRequest, execute
from agentlog.runner.prompt import read_file
from agentlog.store.filters import FAILED
from agentlog.store.log import Log
from agentlog.timeutil import now_iso


@dataclass
class Row:
    line: int
    params: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # why the line cannot be run


@dataclass
class RowResult:
    line: int
    status: str  # success, error, timeout; invalid (bad row); skipped (never started)
    execution_id: int | None = None
    response: Any = None
    error: str | None = None
    cost: float | None = None
    duration_ms: int | None = None

    @classmethod
    def of(cls, line: int, outcome: Outcome) -> RowResult:
        e = outcome.execution
        error = f"{e.error_class}: {e.error_message}" if e.error_class else None
        return cls(line, e.status, e.id, outcome.redacted if outcome.ok else None, error,
                   e.total_cost, e.duration_ms)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "execution_id": self.execution_id,
                               "status": self.status}
        if self.status == "success":
            out["response"] = self.response
        else:
            out["error"] = self.error
        return out


@dataclass
class Summary:
    batch_id: str
    total: int
    success: int = 0
    failed: int = 0
    invalid: int = 0
    skipped: int = 0
    cost: float = 0.0
    durations: list[int] = field(default_factory=list)
    interrupted: bool = False
    failure: str | None = None  # why the batch stopped launching rows: the log failed
    stopped: str | None = None  # why it stopped launching rows otherwise (--max-cost)
    started: float = field(default_factory=time.monotonic)

    @property
    def count(self) -> int:
        """Executions that ran (success or failure)."""
        return self.success + self.failed

    @property
    def done(self) -> int:
        return self.count + self.invalid + self.skipped

    @property
    def rate(self) -> float:
        """Rows done per second so far."""
        return self.done / max(time.monotonic() - self.started, 1e-9)

    def add(self, result: RowResult) -> None:
        if result.status == "success":
            self.success += 1
        elif result.status in FAILED:
            self.failed += 1
        elif result.status == "invalid":
            self.invalid += 1
        else:
            self.skipped += 1
        self.cost += result.cost or 0.0
        if result.duration_ms is not None:
            self.durations.append(result.duration_ms)

    def percentile(self, p: float) -> int | None:
        """Nearest-rank percentile of the durations in ms."""
        if not self.durations:
            return None
        ordered = sorted(self.durations)
        return ordered[max(0, math.ceil(len(ordered) * p / 100) - 1)]

    def to_dict(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "count": self.count, "success": self.success,
                "failed": self.failed, "invalid": self.invalid, "skipped": self.skipped,
                "cost": self.cost, "p50_ms": self.percentile(50),
                "p95_ms": self.percentile(95), "interrupted": self.interrupted,
                "stopped": self.stopped}


def parse_rows(text: str) -> list[Row]:
    """JSONL when the first non-blank character is `{`, CSV otherwise."""
    if text.lstrip().startswith("{"):
        return _jsonl(text)
    return _csv(text)


def read_rows(source: str) -> list[Row]:
    """The rows of FILE, or of stdin for `-`."""
    if source != "-":
        return parse_rows(read_file(source, "input file"))
    try:
        return parse_rows(sys.stdin.buffer.read().decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ConfigError(f"input from stdin is not UTF-8 text (byte {e.start})") from None


def _jsonl(text: str) -> list[Row]:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as e:
            rows.append(Row(number, error=f"not valid JSON: {e.msg} at column {e.colno}"))
            continue
        except RecursionError:
            rows.append(Row(number, error="nested too deeply"))
            continue
        if not isinstance(value, dict):
            rows.append(Row(number, error="expected a JSON object of parameters"))
        else:
            rows.append(Row(number, value))
    return rows


def _csv(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    rows, start = [], reader.line_num + 1
    for record in reader:
        if any(cell.strip() for cell in record):
            if len(record) != len(header or []):
                rows.append(Row(start, error=f"expected {len(header or [])} fields, "
                                             f"got {len(record)}"))
            else:
                rows.append(Row(start, dict(zip(header, record, strict=True))))
        start = reader.line_num + 1
    return rows


class SpendCap:
    """What the finished rows of a batch cost, against `--max-cost` (None: no cap). Rows
    already running when the cap is reached finish: the overshoot is at most one row per
    worker."""

    def __init__(self, limit: float | None):
        self.limit, self.spent, self._lock = limit, 0.0, threading.Lock()

    def add(self, cost: float | None) -> None:
        with self._lock:
            self.spent += cost or 0.0

    def reached(self) -> bool:
        return self.limit is not None and self.spent >= self.limit

    def reason(self) -> str:
        return f"--max-cost {usd(self.limit)} reached: {usd(self.spent)} spent"


def run(cfg: AgentsFile, base: RunRequest, rows: list[Row], log: Log, *, jobs: int = 4,
        write: Callable[[RowResult], None] | None = None,
        on_result: Callable[[RowResult, Summary], None] | None = None,
        max_cost: float | None = None) -> Summary:
    """Run every row; `write` gets results in input order, `on_result` as they finish.
    `max_cost`: no row is launched once the rows finished so far cost that much (USD)."""
    log.preflight()  # one error line for a read-only log, not one per row
    from agentlog.runner import llm  # noqa: F401  (seconds to import: once, before the clock)

    summary = Summary(uuid.uuid4().hex[:16], len(rows))
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for index, row in enumerate(rows):
        todo.put((index, row))
    finished: queue.SimpleQueue = queue.SimpleQueue()
    stop, started = threading.Event(), set()
    cap = SpendCap(max_cost)

    def work(row: Row) -> RowResult:
        if row.error:
            return RowResult(row.line, "invalid", error=row.error)
        request = replace(base, params={**base.params, **row.params}, batch_id=summary.batch_id)
        try:
            return RowResult.of(row.line, execute(cfg, request, log))
        except StoreError as e:  # the log cannot be written: no more calls it cannot record
            stop.set()
            summary.failure = summary.failure or str(e)
            return RowResult(row.line, "error", error=str(e))
        except AgentlogError as e:
            return RowResult(row.line, "invalid", error=str(e))
        except Exception as e:  # a bug in one row must not stop the others
            return RowResult(row.line, "error", error=f"{type(e).__name__}: {e}")

    def worker() -> None:
        while not stop.is_set():
            if cap.reached():
                summary.stopped = summary.stopped or cap.reason()
                break
            try:
                index, row = todo.get_nowait()
            except queue.Empty:
                break
            started.add(index)
            result = work(row)
            cap.add(result.cost)
            finished.put((index, result))
        finished.put(None)

    threads = [threading.Thread(target=worker, daemon=True, name=f"agentlog-batch-{i}")
               for i in range(max(1, min(jobs, len(rows))))]
    for t in threads:
        t.start()
    results: dict[int, RowResult] = {}
    emitted, running = 0, len(threads)

    def collect() -> None:
        nonlocal emitted, running
        while running:
            try:
                item = finished.get(timeout=0.2)
            except queue.Empty:
                continue
            if item is None:
                running -= 1
                continue
            index, result = item
            results[index] = result
            summary.add(result)
            if on_result is not None:
                on_result(result, summary)
            while emitted in results:
                if write is not None:
                    write(results[emitted])
                emitted += 1

    try:
        try:
            collect()
        except KeyboardInterrupt:
            summary.interrupted = True
            stop.set()
            collect()
    except KeyboardInterrupt:  # the second Ctrl-C: stop waiting for the running rows
        log.close_running(summary.batch_id, {
            "status": "error", "error_class": "Interrupted", "completed_at": now_iso(),
            "error_message": "the batch was interrupted while this execution was running"})
    for index in range(emitted, len(rows)):
        if index not in results:
            status = "error" if index in started else "skipped"
            error = "Interrupted" if index in started else \
                f"not started ({summary.stopped or 'interrupted'})"
            results[index] = RowResult(rows[index].line, status, error=error)
            summary.add(results[index])
        if write is not None:
            write(results[index])
    return summary

