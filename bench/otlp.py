"""OpenTelemetry export: the rate of `agentlog export otlp`, and what live export costs a run.

    python bench/otlp.py [--db bench/data/100k.db] [-n 500]

1. `agentlog export otlp` of every execution of --db (made by bench/make_db.py when missing,
   100,000 rows) to a sink collector in another process that reads each request and answers
   200: spans per second, the command's CPU time and its own peak RSS (getrusage of the
   exporting process itself).
2. Per execution (mock_response, one warmed-up process, n runs each): no settings.otlp,
   settings.otlp to the sink, settings.otlp to a closed port (a collector that is down):
   the median wall time and the process's CPU time per run.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SINK = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""
MEASURED = """
import resource, sys
from agentlog.cli.app import app
try:
    app(sys.argv[1:], prog_name="agentlog")
except SystemExit as e:
    if e.code:
        raise
own = resource.getrusage(resource.RUSAGE_SELF)
print(own.ru_maxrss, own.ru_utime + own.ru_stime, file=sys.stderr)
"""
AGENTS = """
agents:
  a:
    model: gpt-4o-mini
    params: {n: {}}
    prompt: "Say something about {{ n }}."
    mock_response: "Something."
    retries: {max: 0}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def export_rate(db: Path, endpoint: str) -> None:
    import sqlite3

    conn = sqlite3.connect(db)
    rows, attempts, tools = conn.execute(
        "SELECT count(*), sum(attempts_count), sum(tool_calls_count) FROM executions "
        "WHERE status != 'running'").fetchone()
    conn.close()
    spans = rows + (attempts or 0) + (tools or 0)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED, "export", "otlp", "--db", str(db),
                           "--endpoint", endpoint], check=True, capture_output=True, text=True)
    took = time.perf_counter() - start
    rss, cpu = done.stderr.strip().splitlines()[-1].split()
    print(f"| export otlp, {rows:,} executions ({spans:,} spans) | {took:.1f} s wall, "
          f"{float(cpu):.1f} s CPU | {spans / took:,.0f} spans/s wall, "
          f"{spans / float(cpu):,.0f} per CPU s | peak RSS {int(rss) / 1024:.0f} MB |")


def per_execution(agents: Path, endpoints: dict[str, str | None], n: int) -> None:
    """Median wall time of a run, and the process's CPU time per run (every thread: the
    live export's spans are built and sent on its own), the queue drained before the clock
    stops."""
    from agentlog import config, store
    from agentlog.otel import live
    from agentlog.runner.execute import RunRequest, execute

    work = agents.parent
    results = {}
    for label, endpoint in endpoints.items():
        path = work / f"{label}.yaml"
        extra = f"\nsettings:\n  otlp: {{endpoint: '{endpoint}'}}\n" if endpoint else ""
        path.write_text(AGENTS + extra)
        cfg = config.load(str(path))
        log = store.open(work / f"{label}.db")
        for _ in range(20):
            execute(cfg, RunRequest("a", {"n": 0}), log)
        took = []
        cpu = time.process_time()
        for i in range(n):
            start = time.perf_counter()
            execute(cfg, RunRequest("a", {"n": i}), log)
            took.append(time.perf_counter() - start)
            time.sleep(0.002)  # runs a few ms apart, as a batch's are
        for export in live._exports.values():
            deadline = time.monotonic() + 60
            while export.queue.unfinished_tasks and time.monotonic() < deadline:
                time.sleep(0.01)
        results[label] = (statistics.median(took) * 1000,
                          (time.process_time() - cpu) / n * 1000)
    base, base_cpu = results.pop("none")
    print(f"| per execution, no settings.otlp ({n}) | {base:.2f} ms wall, {base_cpu:.2f} ms "
          f"CPU | | |")
    for label, (value, cpu) in results.items():
        print(f"| per execution, settings.otlp {label} ({n}) | {value:.2f} ms wall, "
              f"{cpu:.2f} ms CPU | {value - base:+.2f} ms wall, {cpu - base_cpu:+.2f} ms CPU | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "data" / "100k.db")
    parser.add_argument("-n", type=int, default=500)
    args = parser.parse_args()
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_db.py"), "--rows", "100000",
                        str(args.db)], check=True)
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)])
    time.sleep(0.5)
    try:
        print("| what | time | rate / difference | |")
        print("|---|---:|---:|---|")
        export_rate(args.db, f"http://127.0.0.1:{port}")
        work = Path(tempfile.mkdtemp(prefix="agentlog-otlp-bench-"))
        agents = work / "agents.yaml"
        per_execution(agents, {"none": None, "to the sink": f"http://127.0.0.1:{port}",
                               "to a closed port": f"http://127.0.0.1:{free_port()}"}, args.n)
    finally:
        sink.terminate()
    from agentlog.otel import live

    for export in live._exports.values():
        print(f"(live export to {export.url}: {export.finish(0):,} spans dropped)")
    os._exit(0)  # the live exports' warnings are the lines above


if __name__ == "__main__":
    main()
