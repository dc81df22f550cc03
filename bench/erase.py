"""The cost of secure_delete for an erasure (`prune --any-age` with filters): two selections
of about 1% of the log each, of the same shape, deleted one with secure_delete (what
`--any-age` does) and one without (plain retention), then the one space reclaim that both
need (FTS5 optimize, VACUUM, WAL checkpoint). Wall and CPU time of each phase.

    python bench/erase.py --db COPY_OF_A_LOG [--agent code-review] [--no-reclaim]

It deletes rows: give it a copy of a log made by bench/make_db.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(label: str, work) -> object:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    print(f"| {label} | {time.perf_counter() - wall:,.1f} s | {time.process_time() - cpu:,.1f} s "
          f"| {result if result is not None else ''} |", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--agent", default="code-review")
    parser.add_argument("--no-reclaim", action="store_true", help="Time the deletes only.")
    args = parser.parse_args()
    from agentlog import store
    from agentlog.store.query import Query

    log = store.open(args.db, create=False)
    print("| phase | wall | CPU | executions |")
    print("|---|---:|---:|---:|")
    for source, erase in (("api", False), ("cron", True)):
        selected = (Query().by_agent(args.agent).where_meta("env", "staging")
                    .where_meta("source", source))
        plan = log.prune_plan(selected)
        timed(f"delete source={source}, secure_delete {'ON' if erase else 'FAST'}",
              lambda s=selected, p=plan, e=erase: log.prune(s, p.top_id, erase=e))
    if not args.no_reclaim:
        timed("reclaim (optimize, VACUUM, checkpoint)", log.reclaim)
    log.close()


if __name__ == "__main__":
    main()
