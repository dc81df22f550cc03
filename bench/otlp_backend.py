"""A real log into a real OpenTelemetry backend and back: MLflow's tracking server.

Not part of the test suite; it needs its own venv with MLflow and agentlog's otel extra:

    python3 -m venv /tmp/mlflow-venv
    /tmp/mlflow-venv/bin/pip install mlflow -e ".[otel]"
    /tmp/mlflow-venv/bin/python bench/otlp_backend.py [--rows 200]

It makes a synthetic log (bench/make_db.py), starts `mlflow server` on 127.0.0.1 with an
SQLite store, sends the log with `agentlog export otlp` to its OTLP endpoint (`/v1/traces`,
header `x-mlflow-experiment-id`), reads the traces back through MLflow's client and compares
every trace with its execution: the span names, parents, and attributes. Exporting a second
time must not add traces (same ids).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds:g} s")


def expected(db: Path) -> dict[int, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    out = {}
    for row in conn.execute("SELECT id, agent_type, status, model_id, attempts, tool_calls, "
                            "total_cost FROM executions WHERE status != 'running'"):
        attempts = json.loads(row["attempts"] or "[]")
        tools = json.loads(row["tool_calls"] or "[]")
        out[row["id"]] = {
            "names": sorted([f"invoke_agent {row['agent_type']}"]
                            + [f"chat {a['model']}" for a in attempts]
                            + [f"execute_tool {t['name']}" for t in tools]),
            "agent": row["agent_type"], "cost": row["total_cost"], "status": row["status"]}
    conn.close()
    return out


def export(db: Path, url: str, experiment: str) -> str:
    done = subprocess.run([str(BIN / "agentlog"), "export", "otlp", "--db", str(db),
                           "--endpoint", url, "--headers",
                           f"x-mlflow-experiment-id={experiment}"],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"export otlp failed: {done.stderr.strip()}")
    return done.stderr.strip()


def compare(traces, wanted: dict[int, dict]) -> list[str]:
    problems, seen = [], set()
    for trace in traces:
        spans = trace.data.spans
        roots = [s for s in spans if s.parent_id is None]
        if len(roots) != 1:
            problems.append(f"trace {trace.info.trace_id}: {len(roots)} root spans")
            continue
        root = roots[0]
        execution = int(root.attributes.get("agentlog.execution.id"))
        seen.add(execution)
        want = wanted.get(execution)
        if want is None:
            problems.append(f"trace of unknown execution {execution}")
            continue
        names = sorted(s.name for s in spans)
        if names != want["names"]:
            problems.append(f"execution {execution}: spans {names}, expected {want['names']}")
        if any(s.parent_id != root.span_id for s in spans if s is not root):
            problems.append(f"execution {execution}: a child not under the invoke_agent span")
        if root.attributes.get("gen_ai.agent.name") != want["agent"]:
            problems.append(f"execution {execution}: gen_ai.agent.name "
                            f"{root.attributes.get('gen_ai.agent.name')!r}")
        cost = root.attributes.get("agentlog.cost.total_usd")
        if want["cost"] is not None and (cost is None or abs(cost - want["cost"]) > 1e-12):
            problems.append(f"execution {execution}: cost {cost!r}, expected {want['cost']!r}")
    missing = set(wanted) - seen
    if missing:
        problems.append(f"{len(missing)} executions have no trace, e.g. {sorted(missing)[:5]}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    args = parser.parse_args()
    import mlflow
    from mlflow import MlflowClient

    work = Path(tempfile.mkdtemp(prefix="agentlog-mlflow-"))
    db = work / "log.db"
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_db.py"), "--rows",
                    str(args.rows), str(db)], check=True, capture_output=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--backend-store-uri", f"sqlite:///{work / 'mlflow.db'}",
         "--default-artifact-root", str(work / "artifacts")],
        stdout=subprocess.DEVNULL, stderr=open(work / "mlflow.log", "w"),  # noqa: SIM115
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"})
    try:
        wait_for(f"{url}/health")
        mlflow.set_tracking_uri(url)
        client = MlflowClient()
        experiment = client.create_experiment("agentlog")
        wanted = expected(db)
        started = time.perf_counter()
        said = export(db, url, experiment)
        took = time.perf_counter() - started
        traces = client.search_traces(locations=[experiment], max_results=len(wanted) + 50)
        problems = compare(traces, wanted)
        again = export(db, url, experiment)
        after = client.search_traces(locations=[experiment], max_results=len(wanted) + 50)
        if len(after) != len(traces):
            problems.append(f"a second export changed the trace count: {len(traces)} → "
                            f"{len(after)}")
        print(f"mlflow {mlflow.__version__}: {said} in {took:.1f} s; read back {len(traces)} "
              f"traces for {len(wanted)} executions; second export: {again}; "
              f"{len(problems)} problem(s)")
        for problem in problems[:20]:
            print("  " + problem)
        sys.exit(1 if problems else 0)
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
