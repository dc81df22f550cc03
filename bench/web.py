"""Server time of each dashboard page (and its JSON twin, and the live polls) on a log.

    python bench/web.py --db COPY-OF-THE-1M-LOG.db [--runs 5] [--only TEXT]

Requests go through the ASGI application in-process (Starlette's TestClient), so the time is
the server's: routing, the Log's reads, rendering. A static file is the floor of that path.
Each page runs once to warm the page cache, then --runs times: median, min and max, and the
median CPU time of the process (user + system: what a loaded machine does not inflate). The
weight is the page's bytes plus its stylesheet and script. The log is opened read-only, as
`agentlog ui` opens it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GOAL_MS, POLL_GOAL_MS, WEIGHT_GOAL = 150, 20, 300_000
PAGES = [
    ("floor: /static/live.js", "/static/live.js", None),
    ("overview, 7 days", "/", GOAL_MS),
    ("overview, today", "/?period=today", GOAL_MS),
    ("overview, 30 days", "/?period=30d", GOAL_MS),
    ("overview, 90 days", "/?period=90d", GOAL_MS),
    ("/api/overview, 30 days", "/api/overview?period=30d", GOAL_MS),
    ("executions", "/executions", GOAL_MS),
    ("executions, page 20 (keyset)", None, GOAL_MS),
    ("executions --failed --today", "/executions?failed=1&today=1", GOAL_MS),
    ("executions --meta team=docs", "/executions?meta=team=docs", GOAL_MS),
    ("executions --search invoice", "/executions?search=invoice", GOAL_MS),
    ("executions sorted by cost", "/executions?sort=-total_cost", GOAL_MS),
    ("executions sorted by cost, page 20 (keyset)", "COSTLY", GOAL_MS),
    ("executions sorted by cost, cheapest first", "/executions?sort=total_cost", GOAL_MS),
    ("/api/executions --failed", "/api/executions?failed=1", GOAL_MS),
    ("execution detail", "/executions/500000", GOAL_MS),
    ("agents, 30 days", "/agents?period=30d", GOAL_MS),
    ("agent detail, 30 days", "/agents/AGENT?period=30d", GOAL_MS),
    ("reports", "/reports", GOAL_MS),
    ("budgets", "/budgets", GOAL_MS),
    ("breakers", "/breakers", GOAL_MS),
    ("live poll: list rows", "/live/rows", POLL_GOAL_MS),
    ("live poll: list, what changed (the page's script)", "/live/rows?newest=NEWEST&running=",
     POLL_GOAL_MS),
    ("live poll: overview latest", "/live/latest", POLL_GOAL_MS),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="a copy of the log to read")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="")
    args = parser.parse_args()

    from starlette.testclient import TestClient

    from agentlog import store
    from agentlog.config import Settings
    from agentlog.readsettings import ReadSettings
    from agentlog.web import app

    log = store.open(args.db, readonly=True)
    budgets = Settings(budgets={"daily": 50.0, "monthly": 1000.0,
                                "per_agent": {}, "per_tenant": {}})
    client = TestClient(app.create(log, ReadSettings(), lambda: budgets))
    agent = client.get("/api/agents?period=30d").json()["agents"][0]["agent"]
    deep = "/executions"
    for _ in range(20):
        deep = "/executions?after=" + str(client.get("/api" + deep).json()[-1]["id"])
    costly = "/executions?sort=-total_cost"
    for _ in range(20):
        costly = "/executions?sort=-total_cost&after=" + str(
            client.get("/api" + costly).json()[-1]["id"])
    newest = str(client.get("/api/executions?n=1").json()[0]["id"])
    assets = sum(len(client.get(p).content) for p in ("/static/style.css", "/static/live.js"))
    print("| page | median ms | min–max | CPU ms | goal ms | | weight KB |\n"
          "|---|---:|---:|---:|---:|---|---:|")
    for name, path, goal in PAGES:
        if args.only not in name:
            continue
        path = (path or deep).replace("AGENT", agent).replace("COSTLY", costly)
        path = path.replace("NEWEST", newest)
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        times, cpu = [], []
        for _ in range(args.runs):
            start, used = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        median = statistics.median(times)
        weight = len(answer.content) + (assets if "text/html" in
                                        answer.headers["content-type"] else 0)
        verdict = "" if goal is None else ("ok" if median < goal else "MISSED")
        heavy = " (over 300 KB)" if weight > WEIGHT_GOAL else ""
        print(f"| {name} | **{median:.0f}** | {min(times):.0f}–{max(times):.0f} | "
              f"{statistics.median(cpu):.0f} | {goal or ''} | {verdict} | "
              f"{weight / 1000:.0f}{heavy} |", flush=True)
    log.close()


if __name__ == "__main__":
    main()
