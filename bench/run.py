"""Time every agentlog command as a whole process on a synthetic log, against its floor.

    python bench/run.py --rows 1000000          # builds bench/data/1000000.db if missing
    python bench/run.py --rows 100000 --only list

Each command runs once to warm the page cache, then --runs times; the table shows the median,
min and max wall time and the goal of DESIGN.md section 7. For list and report commands it
also times the very SQL the command ran (captured by tracing it in-process) in the sqlite3
shell, the floor of the question as asked, and prints the ratio.
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


@dataclass
class Case:
    name: str
    args: list[str]
    goal_ms: float | None = None
    floor: bool = False  # also time the command's own SQL in the sqlite3 shell
    python: str | None = None  # a Python snippet timed instead of an agentlog command


FLOOR = "import typer, rich.table, sqlite3"  # what any typer + rich command must load


CASES = [
    Case("floor: python -c pass", [], python="pass"),
    Case(f"floor: python -c '{FLOOR}'", [], python=FLOOR),
    Case("--help", ["--help"], 150),
    Case("list -n 20", ["list", "-n", "20"], 150, True),
    Case("list --failed --today", ["list", "--failed", "--today"], 250, True),
    Case("list --search WORD", ["list", "--search", "invoice"], 250, True),
    Case("list --meta team=docs", ["list", "--meta", "team=docs"], 250, True),
    Case("list --meta (no match)", ["list", "--meta", "team=nobody"], 250, True),
    Case("report daily", ["report", "daily"], None, True),
    Case("report cost-by-agent --period this-month",
         ["report", "cost-by-agent", "--period", "this-month"], 250, True),
    Case("report cost-by-model", ["report", "cost-by-model"], 450, True),
    Case("report stats summarize", ["report", "stats", "summarize"], 150, True),
    Case("report trend --days 30", ["report", "trend", "--days", "30"], 500, True),
    Case("prune --dry-run --older-than 45d", ["prune", "--dry-run", "--older-than", "45d"]),
]

# Runs an agentlog command in-process with every connection traced and writes the SELECT
# statements it ran, values expanded, to the file named by argv[1]: the command's own SQL.
TRACE = r"""
import sqlite3, sys
seen = []
_connect = sqlite3.connect
def connect(*args, **kwargs):
    conn = _connect(*args, **kwargs)
    conn.set_trace_callback(seen.append)
    return conn
sqlite3.connect = connect
out, sys.argv = sys.argv[1], ["agentlog", *sys.argv[2:]]
from agentlog.cli.app import main
try:
    main()
except SystemExit:
    pass
reads = [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]
open(out, "w").write("".join(s.rstrip().rstrip(";") + ";\n" for s in reads))
"""


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


def own_sql(args: list[str], env: dict, workdir: str) -> str:
    """The SELECT statements the command runs (see TRACE), as one script."""
    out = Path(workdir, "statements.sql")
    subprocess.run([sys.executable, "-c", TRACE, str(out), *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return out.read_text()


def sql_cmd(db: Path, script: str) -> list[str]:
    if shutil.which("sqlite3"):
        return ["sqlite3", "-readonly", str(db), script]
    code = "import sqlite3, sys; sqlite3.connect(sys.argv[1]).executescript(sys.argv[2])"
    return [sys.executable, "-c", code, str(db), script]


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
        floor = (timed(sql_cmd(db, own_sql(case.args, env, workdir)), env, args.runs)[0]
                 if case.floor else None)
        print(row(case.name, times, case.goal_ms, floor), flush=True)
    if args.only in "export csv (all rows)":
        out = Path(workdir, "all.csv")
        try:
            runs = []
            for _ in range(min(args.runs, 3)):
                # Each run starts with the previous 3 GB file gone and written back: otherwise
                # the kernel's write-back of one run throttles the writes of the next.
                out.unlink(missing_ok=True)
                os.sync()
                runs.append(wall([exe, "export", "csv", "-o", str(out)], env))
            times, rss = [r[0] for r in runs], max(r[1] for r in runs)
            print(row("export csv (all rows)", times, 15000, None,
                      f"peak RSS {rss / 1024:.0f} MB"), flush=True)
        except RuntimeError as e:
            print(f"| export csv | failed: {e} | | | | | | |")
    if args.only in "prune half the rows (one run, on a copy)":
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
