"""The same commands on the same log in SQLite and in PostgreSQL, side by side.

    python bench/make_db.py --rows 100000 bench/data/100000.db --db postgresql://…/bench
    python bench/compare_backends.py bench/data/100000.db postgresql://…/bench

Each command runs as a whole process, once to warm up, then --runs times (median wall and
CPU ms of the process; the server's CPU is not in it), and in this process through typer's
CliRunner (the command's own work, opening the log included); then
`export csv` of every row once per backend (wall time, and the peak RSS of the process from
wait4); then logging one execution (running row + finalize) through each Log, in-process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COMMANDS = [
    ["list", "-n", "20"], ["list", "--failed", "--today"], ["list", "--meta", "team=docs"],
    ["list", "--meta", "team=nobody"], ["list", "--search", "invoice"], ["report", "daily"],
    ["report", "cost-by-agent", "--period", "this-month"], ["report", "cost-by-model"],
    ["report", "stats", "summarize"], ["report", "trend", "--days", "30"],
]


def run_child(args: list[str], where: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one agentlog process."""
    env = {**os.environ, "AGENTLOG_DB": where}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "agentlog", *args], env=env,
                             stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"agentlog {' '.join(args)} on {where} failed")
    return (time.perf_counter() - started, usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024)


def timed(args: list[str], where: str, runs: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `runs` processes after one to warm up."""
    found = [run_child(args, where) for _ in range(runs + 1)][1:]
    return tuple(statistics.median(f[i] for f in found) * 1000 for i in (0, 1))


def in_process(args: list[str], where: str, runs: int) -> float:
    """Median ms of the command run in this process (typer's CliRunner) after one to warm
    up: what the command itself costs (opening the log included), without starting Python
    and importing agentlog and the driver, which a whole process pays each time."""
    from typer.testing import CliRunner

    from agentlog.cli.app import app

    runner, times = CliRunner(), []
    for i in range(runs + 1):
        started = time.perf_counter()
        done = runner.invoke(app, args, env={"AGENTLOG_DB": where})
        if done.exit_code:
            raise SystemExit(f"agentlog {' '.join(args)} on {where} failed: {done.output}")
        if i:
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def exported(where: str) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of `export csv` of every row to /dev/null."""
    wall, _, rss = run_child(["export", "csv", "-o", os.devnull], where)
    return wall, rss


def logging_ms(where: str, n: int) -> float:
    from agentlog import store
    from agentlog.store.query import Query
    from agentlog.timeutil import now_iso

    with store.open(where) as log:
        started = time.perf_counter()
        for i in range(n):
            execution_id = log.start({"agent_type": "bench", "created_at": now_iso(),
                                      "user_prompt": f"bench row {i}"})
            log.finalize(execution_id, {"status": "success", "response": "ok",
                                        "total_cost": 0.001, "duration_ms": 5})
        spent = (time.perf_counter() - started) * 1000 / n
        log.prune(Query().by_agent("bench"), top_id=2**62)  # leave the log as it was
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sqlite")
    parser.add_argument("postgresql")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="only the commands containing this text")
    parser.add_argument("--no-export", action="store_true",
                        help="skip `export csv` of every row (minutes on a 1M log)")
    args = parser.parse_args()
    print("| command | SQLite ms | PostgreSQL ms | ratio | client CPU ms, SQLite / PostgreSQL "
          "| in-process ms, SQLite / PostgreSQL | ratio |\n|---|---:|---:|---:|---:|---:|---:|")
    for command in (c for c in COMMANDS if args.only in " ".join(c)):
        (lite, lite_cpu), (pg, pg_cpu) = (timed(command, where, args.runs)
                                          for where in (args.sqlite, args.postgresql))
        inner = [in_process(command, where, args.runs) for where in (args.sqlite,
                                                                     args.postgresql)]
        print(f"| `{' '.join(command)}` | {lite:.0f} | {pg:.0f} | {pg / lite:.2f}× "
              f"| {lite_cpu:.0f} / {pg_cpu:.0f} | {inner[0]:.1f} / {inner[1]:.1f} "
              f"| {inner[1] / inner[0]:.2f}× |", flush=True)
    if not args.no_export:
        (lite, lite_mb), (pg, pg_mb) = (exported(where)
                                        for where in (args.sqlite, args.postgresql))
        print(f"| `export csv` (all rows), s | {lite:.1f} | {pg:.1f} | {pg / lite:.2f}× |")
        print(f"| `export csv` (all rows), peak RSS MB | {lite_mb:.0f} | {pg_mb:.0f} | |")
    lite, pg = (logging_ms(where, 200) for where in (args.sqlite, args.postgresql))
    print(f"| logging one execution (in-process) | {lite:.2f} | {pg:.2f} | {pg / lite:.2f}× |")


if __name__ == "__main__":
    main()
