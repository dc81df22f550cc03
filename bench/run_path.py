"""The run path: what agentlog adds to each model call, and how long `agentlog run` takes to
reach its first model call.

    python bench/run_path.py [--db bench/data/1000000.db] [-n 500]

1. Per execution: the runner (prompt rendering, pricing, the running row and its
   finalization, its text indexed by triggers) with litellm's mock_response, against the same calls
   made by a bare litellm loop. Medians of n executions, in one warmed-up process.
2. Logging alone on the given log (insert the running row + finalize), the DESIGN goal being
   under 1 ms on a 1M-row log; the rows written are deleted again afterwards.
3. Process start of `agentlog run` up to the first model call: from spawning the process to
   the started_at it records just before calling the model (median of 5).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AGENTS = """
agents:
  a:
    model: gpt-4o-mini
    params: {n: {}}
    prompt: "Say something about {{ n }}."
    mock_response: "Something."
    retries: {max: 0}
"""


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.3f} ms"


def per_execution(cfg, log, n: int) -> None:
    from agentlog.runner import llm
    from agentlog.runner.execute import RunRequest, execute

    messages = [{"role": "user", "content": "Say something about 1."}]
    for _ in range(20):  # warm both paths
        llm.litellm.completion(model="gpt-4o-mini", messages=messages, mock_response="x",
                               max_retries=0, timeout=60)
        execute(cfg, RunRequest("a", {"n": 0}), log)
    bare, ours = [], []
    for i in range(n):
        start = time.perf_counter()
        llm.litellm.completion(model="gpt-4o-mini", messages=[
            {"role": "user", "content": f"Say something about {i}."}], mock_response="x",
            max_retries=0, timeout=60)
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        execute(cfg, RunRequest("a", {"n": i}), log)
        ours.append(time.perf_counter() - start)
    ratio = statistics.median(ours) / statistics.median(bare)
    print(f"| per execution, mock ({n}) | bare litellm {ms(bare)} | agentlog {ms(ours)} | "
          f"{ratio:.2f}× | overhead {ms([o - b for o, b in zip(ours, bare, strict=True)])} |")


def logging_only(conn, n: int, label: str) -> None:
    from agentlog.store.sqlite import writer
    from agentlog.timeutil import now_iso

    costs, cpu, ids = [], [], []
    for i in range(n):
        row = {"agent_type": "bench", "model_id": "gpt-4o-mini", "chosen_model_id": "gpt-4o-mini",
               "created_at": now_iso(), "parameters": {"n": i}, "metadata": {"team": "bench"},
               "user_prompt": "Say something about the weather in Berlin. " * 20}
        start, used = time.perf_counter(), time.process_time()
        eid = writer.insert_running(conn, row)
        writer.finalize(conn, eid, {"status": "success", "response": "It is sunny. " * 30,
                                    "input_tokens": 10, "output_tokens": 20, "total_cost": 1e-5,
                                    "completed_at": now_iso(), "duration_ms": 5})
        costs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - used)
        ids.append(eid)
    p99 = sorted(costs)[int(len(costs) * 0.99) - 1]
    print(f"| logging only ({label}, {n}) | running row + finalize | {ms(costs)} | "
          f"p99 {p99 * 1000:.3f} ms | CPU {ms(cpu)} |")
    marks = ",".join("?" * len(ids))
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(f"DELETE FROM executions WHERE id IN ({marks})", ids)  # unindexed by triggers
    conn.execute("COMMIT")


def process_start(agents: Path, db: Path) -> None:
    import sqlite3

    from agentlog.timeutil import parse_iso

    waits = []
    for _ in range(6):
        spawned = time.time()
        subprocess.run([sys.executable, "-m", "agentlog", "run", "a", "-p", "n=1", "-c",
                        str(agents), "--db", str(db)], check=True, capture_output=True)
        conn = sqlite3.connect(db)
        started = conn.execute("SELECT started_at FROM executions ORDER BY id DESC").fetchone()
        conn.close()
        waits.append(parse_iso(started[0]).timestamp() - spawned)
    print(f"| `agentlog run` start to first model call (5 after 1) | | {ms(waits[1:])} | "
          f"min {min(waits[1:]) * 1000:.0f} ms | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="A large log for the logging-only line.")
    parser.add_argument("-n", type=int, default=500)
    args = parser.parse_args()
    from agentlog import config, store
    from agentlog.store.sqlite import db

    work = Path(tempfile.mkdtemp(prefix="agentlog-runpath-"))
    agents = work / "agents.yaml"
    agents.write_text(AGENTS)
    cfg = config.load(str(agents))
    log = store.open(work / "log.db")
    print("| what | baseline | agentlog | ratio / p99 | |")
    print("|---|---:|---:|---:|---|")
    per_execution(cfg, log, args.n)
    logging_only(log.conn, args.n, "small log")  # the SQLite writer itself
    if args.db:
        logging_only(db.connect(args.db), args.n, args.db.name)
    process_start(agents, work / "start.db")


if __name__ == "__main__":
    main()
