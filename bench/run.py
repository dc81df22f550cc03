"""Time every agentlog command as a whole process on a synthetic log, against its floor.

    python bench/run.py --rows 1000000          # builds bench/data/1000000.db if missing
    python bench/run.py --rows 100000 --only list

Each command runs once to warm the page cache, then --runs times; the table shows the median,
min and max wall time, the goal of DESIGN.md section 7, and for list and report commands the
same question asked in the sqlite3 shell (the physical floor) with the ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
MONTH_START = "strftime('%Y-%m-01T00:00:00.000Z', 'now')"
TODAY_START = "strftime('%Y-%m-%dT00:00:00.000Z', 'now')"
DAYS_AGO = "strftime('%Y-%m-%dT00:00:00.000Z', 'now', '-{n} days')"


@dataclass
class Case:
    name: str
    args: list[str]
    goal_ms: float | None = None
    sql: str | None = None
    python: str | None = None  # a Python snippet timed instead of an agentlog command


FLOOR = "import typer, rich.table, sqlite3"  # what any typer + rich command must load


CASES = [
    Case("floor: python -c pass", [], None, python="pass"),
    Case(f"floor: python -c '{FLOOR}'", [], None, python=FLOOR),
    Case("--help", ["--help"], 150),
    Case("list -n 20", ["list", "-n", "20"], 150,
         "SELECT * FROM executions ORDER BY id DESC LIMIT 20"),
    Case("list --failed --today", ["list", "--failed", "--today"], 250,
         f"SELECT * FROM executions WHERE status IN ('error','timeout') AND created_at >= "
         f"{TODAY_START} ORDER BY id DESC LIMIT 20"),
    Case("list --search WORD", ["list", "--search", "invoice"], 250,
         "SELECT e.* FROM executions_fts f JOIN executions e ON e.id = f.rowid "
         "WHERE executions_fts MATCH 'invoice' ORDER BY rank LIMIT 20"),
    Case("list --meta team=docs", ["list", "--meta", "team=docs"], 250,
         "SELECT * FROM executions WHERE json_extract(metadata, '$.team') = 'docs' "
         "ORDER BY id DESC LIMIT 20"),
    Case("list --meta (no match)", ["list", "--meta", "team=nobody"], 250,
         "SELECT * FROM executions WHERE json_extract(metadata, '$.team') = 'nobody' "
         "ORDER BY id DESC LIMIT 20"),
    Case("report daily", ["report", "daily"], None,
         f"SELECT count(*), sum(status='success'), sum(total_cost), avg(duration_ms) "
         f"FROM executions WHERE created_at >= {TODAY_START}"),
    Case("report cost-by-agent --period this-month",
         ["report", "cost-by-agent", "--period", "this-month"], 250,
         f"SELECT agent_type, count(*), sum(total_tokens), sum(total_cost) FROM executions "
         f"WHERE created_at >= {MONTH_START} GROUP BY agent_type ORDER BY 4 DESC"),
    Case("report cost-by-model", ["report", "cost-by-model"], 450,
         "SELECT chosen_model_id, count(*), sum(total_tokens), sum(total_cost) FROM executions "
         "GROUP BY chosen_model_id ORDER BY 4 DESC"),
    Case("report stats summarize", ["report", "stats", "summarize"], 150,
         "SELECT duration_ms FROM executions WHERE agent_type = 'summarize' AND duration_ms "
         "IS NOT NULL ORDER BY duration_ms LIMIT 1 OFFSET (SELECT CAST(count(*) * 0.95 AS INT) "
         "FROM executions WHERE agent_type = 'summarize' AND duration_ms IS NOT NULL)"),
    Case("report trend --days 30", ["report", "trend", "--days", "30"], 500,
         f"SELECT substr(created_at, 1, 10), count(*), sum(status != 'success'), "
         f"sum(total_cost), avg(duration_ms) FROM executions WHERE created_at >= "
         f"{DAYS_AGO.format(n=29)} GROUP BY 1"),
    Case("prune --dry-run --older-than 45d", ["prune", "--dry-run", "--older-than", "45d"],
         None),
]


def wall(cmd: list[str], env: dict) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"{' '.join(cmd)} failed: {err[-1] if err else status}")
    return elapsed, usage.ru_maxrss


def timed(cmd: list[str], env: dict, runs: int) -> tuple[list[float], int]:
    wall(cmd, env)  # warm-up
    results = [wall(cmd, env) for _ in range(runs)]
    return [r[0] for r in results], max(r[1] for r in results)


def sql_cmd(db: Path, sql: str) -> list[str]:
    if shutil.which("sqlite3"):
        return ["sqlite3", str(db), sql]
    code = ("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
            "[None for _ in c.execute(sys.argv[2])]")
    return [sys.executable, "-c", code, str(db), sql]


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def row(name: str, times: list[float], goal: float | None, floor: list[float] | None,
        extra: str = "") -> str:
    med = statistics.median(times)
    ratio = f"{med / statistics.median(floor):.1f}×" if floor else ""
    floor_ms = fmt(statistics.median(floor)) if floor else ""
    verdict = "" if goal is None else ("ok" if med * 1000 <= goal else "MISSED")
    return (f"| {name} | {fmt(med)} | {fmt(min(times))}–{fmt(max(times))} | "
            f"{goal or ''} | {verdict} | {floor_ms} | {ratio} | {extra} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="Run only cases whose name contains this.")
    args = parser.parse_args()

    db = BENCH / "data" / f"{args.rows}.db"
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(BENCH / "make_db.py"), "--rows", str(args.rows),
                        str(db)], check=True)
    exe = shutil.which("agentlog") or str(Path(sys.executable).with_name("agentlog"))
    workdir = tempfile.mkdtemp(prefix="agentlog-bench-")
    env = {**os.environ, "AGENTLOG_DB": str(db), "AGENTLOG_CONFIG": str(Path(workdir, "none"))}
    env.pop("AGENTLOG_TENANT", None)
    print(f"{args.rows:,} executions, {db.stat().st_size / 1e9:.2f} GB, {args.runs} runs "
          f"after a warm-up, {time.strftime('%Y-%m-%d')}\n")
    print("| command | median ms | min–max ms | goal ms | | sqlite3 ms | ratio | |")
    print("|---|---:|---:|---:|---|---:|---:|---|")
    for case in CASES:
        if args.only not in case.name:
            continue
        try:
            cmd = [sys.executable, "-c", case.python] if case.python else [exe, *case.args]
            times, _ = timed(cmd, env, args.runs)
        except RuntimeError as e:
            print(f"| {case.name} | failed: {e} | | | | | | |")
            continue
        floor = timed(sql_cmd(db, case.sql), env, args.runs)[0] if case.sql else None
        print(row(case.name, times, case.goal_ms, floor), flush=True)
    if "export" in args.only or not args.only:
        out = Path(workdir, "all.csv")
        try:
            times, rss = timed([exe, "export", "csv", "-o", str(out)], env, min(args.runs, 3))
            print(row("export csv (all rows)", times, 15000, None,
                      f"peak RSS {rss / 1024:.0f} MB"), flush=True)
        except RuntimeError as e:
            print(f"| export csv | failed: {e} | | | | | | |")
    if "prune" in args.only or not args.only:
        copy = Path(workdir, "copy.db")
        shutil.copyfile(db, copy)
        prune_env = {**env, "AGENTLOG_DB": str(copy)}
        try:
            seconds, _ = wall([exe, "prune", "--older-than", "45d", "--yes"], prune_env)
            print(row("prune half the rows (one run, on a copy)", [seconds], 10000, None,
                      f"{db.stat().st_size / 1e9:.2f} → {copy.stat().st_size / 1e9:.2f} GB"))
        except RuntimeError as e:
            print(f"| prune | failed: {e} | | | | | | |")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
