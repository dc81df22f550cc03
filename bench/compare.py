"""Compare two installs of agentlog command by command, interleaved, on the same log.

    python bench/compare.py --before /tmp/venv-old/bin/agentlog --after .venv/bin/agentlog \
        --db bench/data/1000000.db [--runs 10]

Each command runs as a whole process, alternating before and after, so drifts of a shared
machine hit both alike. Two figures per side: the median wall time, and the median CPU time
(user + system of the process, from wait4), which other load on the machine disturbs far less
than the wall clock. The ratio is after / before on CPU time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

COMMANDS = [
    ["--help"],
    ["list", "-n", "20"],
    ["list", "--failed", "--today"],
    ["list", "--search", "invoice"],
    ["list", "--meta", "team=docs"],
    ["list", "--meta", "team=nobody"],
    ["report", "daily"],
    ["report", "cost-by-agent", "--period", "this-month"],
    ["report", "cost-by-model"],
    ["report", "stats", "summarize"],
    ["report", "trend", "--days", "30"],
    ["prune", "--dry-run", "--older-than", "45d"],
]


def run(exe: str, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `exe args`."""
    start = time.perf_counter()
    proc = subprocess.Popen([exe, *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{exe} {' '.join(args)}: exit {proc.returncode}: "
                           f"{proc.stderr.read().decode()[:200]}")
    proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", default="", help="Run only commands containing this.")
    args = parser.parse_args()
    env = {**os.environ, "AGENTLOG_DB": str(args.db),
           "AGENTLOG_CONFIG": str(Path(tempfile.gettempdir(), "agentlog-no-config.yaml"))}
    env.pop("AGENTLOG_TENANT", None)
    print("| command | before wall ms | after wall ms | before CPU ms | after CPU ms | CPU ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for command in (c for c in COMMANDS if args.only in " ".join(c)):
        for exe in (args.before, args.after):
            run(exe, command, env)  # warm the page cache and the interpreter's files
        got: dict[str, list[tuple[float, float]]] = {args.before: [], args.after: []}
        for _ in range(args.runs):
            for exe in (args.before, args.after):
                got[exe].append(run(exe, command, env))
        wall = [statistics.median(w for w, _ in got[e]) * 1000 for e in (args.before, args.after)]
        cpu = [statistics.median(c for _, c in got[e]) * 1000 for e in (args.before, args.after)]
        print(f"| `{' '.join(command)}` | {wall[0]:,.0f} | {wall[1]:,.0f} | {cpu[0]:,.0f} | "
              f"{cpu[1]:,.0f} | {cpu[1] / cpu[0]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
