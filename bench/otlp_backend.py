"""A real log into a real OpenTelemetry backend and back: Arize Phoenix or MLflow.

Not part of the test suite; it needs its own venv with the backend and agentlog's otel and
test extras (the test extra brings the fake OpenAI-compatible server of tests/):

    python3 -m venv /tmp/phoenix-venv
    /tmp/phoenix-venv/bin/pip install arize-phoenix -e ".[otel,test]"
    /tmp/phoenix-venv/bin/python bench/otlp_backend.py phoenix [--rows 300] [--db LOG]

    (the same with `pip install mlflow` and `bench/otlp_backend.py mlflow`)

It makes a synthetic log (bench/make_db.py, or a copy of --db) and adds five real executions
through the fake server: a success, a retried failure, a fallback, a streamed answer and a
tool call. It starts the backend on 127.0.0.1 (`phoenix serve`, or `mlflow server` with an
SQLite store), sends the log with `agentlog export otlp`, reads the spans back through the
backend's API (Phoenix: GET /v1/projects/default/spans; MLflow: `MlflowClient.search_traces`)
and compares every span with the one agentlog built from the same row: trace and span ids,
name, parent, times, status, and every attribute, counting per attribute name what came back
equal, changed or missing, and what the backend added. A second export must not add spans.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections import Counter, defaultdict
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests"))  # fakeserver, sample_tools
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if server.poll() is not None:
            raise SystemExit(f"the backend exited with {server.returncode} before answering")
        try:
            urllib.request.urlopen(url, timeout=5)
            return time.monotonic() - started
        except OSError:
            time.sleep(1)
    raise SystemExit(f"{url} did not answer within {seconds:g} s")


# --- the log -------------------------------------------------------------------------------

AGENTS = """
agents:
  ok: {{model: openai/gpt-4o-mini, api_base: '{base}/ok/v1', api_key: x, prompt: hi,
       metadata: {{team: docs, ticket: 42}}, temperature: 0.3}}
  retried: {{model: openai/gpt-4o-mini, api_base: '{base}/flaky-1/v1', api_key: x, prompt: hi,
            retries: {{max: 1, base: 0.01}}}}
  fallback:
    model: openai/gpt-4o-mini
    api_base: '{base}/e401/v1'
    api_key: x
    prompt: hi
    fallback_models: [{{model: openai/gpt-4o, api_base: '{base}/ok/v1', api_key: x}}]
  streamed: {{model: openai/gpt-4o-mini, api_base: '{base}/ok/v1', api_key: x, prompt: hi,
             stream: true}}
  tool: {{model: openai/gpt-4o-mini, api_base: '{base}/tools/v1', api_key: x,
         prompt: 'What is the weather in Paris?', tools: ['sample_tools:get_weather']}}
"""


def make_log(work: Path, rows: int, source: Path | None) -> Path:
    db = work / "log.db"
    if source:
        shutil.copyfile(source, db)
    else:
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_db.py"), "--rows",
                        str(rows), str(db)], check=True, capture_output=True)
    from fakeserver import FakeServer

    from agentlog import config, store
    from agentlog.runner.execute import RunRequest, execute

    agents = work / "agents.yaml"
    with FakeServer() as fake:
        agents.write_text(textwrap.dedent(AGENTS.format(base=fake.url)))
        cfg = config.load(str(agents))
        log = store.open(db)
        # its own trace ids: a backend keeps a trace id it has seen (MLflow in the
        # experiment that first received it), and each run adds executions of its own
        log.adopt_log_id(secrets.token_hex(16))
        for name in ("ok", "retried", "fallback", "streamed", "tool"):
            execute(cfg, RunRequest(name, {}), log)
    return db


def expected_spans(db: Path) -> dict[str, dict]:
    """The spans agentlog builds from the log, by span id: what the backend should hold."""
    from agentlog import store
    from agentlog.otel import export, spans
    from agentlog.store.query import Query

    log = store.open(db)
    out = io.BytesIO()
    log.export(export.selection(Query()), "jsonl", out, list(spans.COLUMNS))
    resource = spans.resource()
    found = {}
    for line in out.getvalue().splitlines():
        for span in spans.execution_spans(log.log_id(), json.loads(line), resource):
            found[f"{span.context.span_id:016x}"] = {
                "trace_id": f"{span.context.trace_id:032x}", "name": span.name,
                "parent_id": f"{span.parent.span_id:016x}" if span.parent else None,
                "start": span.start_time // 1_000_000, "end": span.end_time // 1_000_000,
                "error": span.status.status_code.name == "ERROR",
                "attributes": dict(span.attributes)}
    return found


EXPORT_ARGS: list[str] = []  # --batch-size, --request-timeout


def export(db: Path, endpoint: str, *headers: str) -> tuple[str, float]:
    args = [str(BIN / "agentlog"), "export", "otlp", "--db", str(db), "--endpoint", endpoint,
            *EXPORT_ARGS]
    for header in headers:
        args += ["--headers", header]
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"export otlp failed after {took:.1f} s: {done.stderr.strip()}")
    return done.stderr.strip(), took


# --- the backends ----------------------------------------------------------------------------

class Phoenix:
    name = "phoenix"

    def start(self, work: Path) -> tuple[subprocess.Popen, str]:
        self.version = metadata.version("arize-phoenix")  # importing phoenix takes long
        port = free_port()
        env = {**os.environ, "PHOENIX_WORKING_DIR": str(work / "phoenix"),
               "PHOENIX_HOST": "127.0.0.1", "PHOENIX_PORT": str(port),
               "PHOENIX_GRPC_PORT": str(free_port()),
               # a machine without the internet: no docs assistant, no telemetry
               "PHOENIX_ALLOW_EXTERNAL_RESOURCES": "false",
               "PHOENIX_TELEMETRY_ENABLED": "false"}
        self.url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([str(BIN / "phoenix"), "serve"], env=env,
                                  stdout=subprocess.DEVNULL,
                                  stderr=open(work / "phoenix.log", "w"))  # noqa: SIM115
        return server, f"{self.url}/healthz"

    def send(self, db: Path) -> tuple[str, float]:
        return export(db, self.url)

    def read(self) -> list[dict]:
        spans, cursor = [], None
        while True:
            query = "limit=1000" + (f"&cursor={cursor}" if cursor else "")
            with urllib.request.urlopen(
                    f"{self.url}/v1/projects/default/spans?{query}", timeout=120) as answer:
                page = json.load(answer)
            for s in page["data"]:
                spans.append({
                    "trace_id": s["context"]["trace_id"], "span_id": s["context"]["span_id"],
                    "name": s["name"], "parent_id": s["parent_id"],
                    "start": _ms(s["start_time"]), "end": _ms(s["end_time"]),
                    "error": s["status_code"] == "ERROR", "attributes": s["attributes"]})
            cursor = page.get("next_cursor")
            if not cursor:
                return spans


class MLflow:
    name = "mlflow"

    def start(self, work: Path) -> tuple[subprocess.Popen, str]:
        self.version = metadata.version("mlflow")
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(BIN / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port),
             "--workers", "1", "--backend-store-uri", f"sqlite:///{work / 'mlflow.db'}",
             "--default-artifact-root", str(work / "artifacts")],
            stdout=subprocess.DEVNULL, stderr=open(work / "mlflow.log", "w"))  # noqa: SIM115
        return server, f"{self.url}/health"

    def send(self, db: Path) -> tuple[str, float]:
        from mlflow import MlflowClient

        if not hasattr(self, "experiment"):
            self.client = MlflowClient(self.url)
            self.experiment = self.client.create_experiment(f"agentlog-{time.time_ns()}")
        return export(db, self.url, f"x-mlflow-experiment-id={self.experiment}")

    def read(self) -> list[dict]:
        spans, token = [], None
        while True:
            page = self.client.search_traces(locations=[self.experiment], max_results=500,
                                             page_token=token)
            for trace in page:
                for s in trace.data.spans:
                    spans.append({
                        "trace_id": s.trace_id.removeprefix("tr-"), "span_id": s.span_id,
                        "name": s.name, "parent_id": s.parent_id,
                        "start": s.start_time_ns // 1_000_000,
                        "end": s.end_time_ns // 1_000_000,
                        "error": str(s.status.status_code).endswith("ERROR"),
                        "attributes": dict(s.attributes)})
            token = page.token
            if not token:
                return spans


def _ms(iso: str) -> int:
    from datetime import datetime

    moment = datetime.fromisoformat(iso)
    return round(moment.timestamp() * 1000)


# --- the comparison --------------------------------------------------------------------------

def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and abs(a - b) <= 1e-12 * max(1.0, abs(a))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return list(a) == list(b)
    return a == b and type(a) is type(b)


def compare(want: dict[str, dict], got: list[dict]) -> tuple[list[str], dict]:
    problems: list[str] = []
    by_id = {}
    for span in got:
        if span["span_id"] in by_id:
            problems.append(f"span {span['span_id']} read back twice")
        by_id[span["span_id"]] = span
    kept, changed, missing, added = Counter(), Counter(), Counter(), Counter()
    examples: dict[str, str] = {}
    for span_id, w in want.items():
        g = by_id.get(span_id)
        if g is None:
            problems.append(f"span {span_id} ({w['name']}) not read back")
            continue
        for field in ("trace_id", "name", "parent_id", "start", "end", "error"):
            if g[field] != w[field]:
                problems.append(f"span {span_id} {field}: {g[field]!r}, sent {w[field]!r}")
        for key, value in w["attributes"].items():
            if key not in g["attributes"]:
                missing[key] += 1
            elif same(g["attributes"][key], value):
                kept[key] += 1
            else:
                changed[key] += 1
                examples.setdefault(key, f"{value!r} → {g['attributes'][key]!r}")
        for key in g["attributes"].keys() - w["attributes"].keys():
            added[key] += 1
    strangers = by_id.keys() - want.keys()
    if strangers:
        problems.append(f"{len(strangers)} spans read back that were not sent")
    return problems, {"kept": kept, "changed": changed, "missing": missing, "added": added,
                      "examples": examples}


def report(found: dict) -> None:
    kept, changed, missing = found["kept"], found["changed"], found["missing"]
    names = sorted(kept.keys() | changed.keys() | missing.keys())
    by_fate = defaultdict(list)
    for key in names:
        fate = "equal" if not changed[key] and not missing[key] else \
            "missing" if not kept[key] and not changed[key] else "changed"
        by_fate[fate].append(key)
    print(f"  attributes equal on every span ({len(by_fate['equal'])}): "
          + ", ".join(by_fate["equal"]))
    for key in by_fate["changed"]:
        print(f"  changed: {key} on {changed[key]} span(s), e.g. {found['examples'][key]}")
    for key in by_fate["missing"]:
        print(f"  missing: {key} on {missing[key]} span(s)")
    if found["added"]:
        print("  added by the backend: " + ", ".join(
            f"{k} ({n})" for k, n in sorted(found["added"].items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backend", choices=["phoenix", "mlflow"])
    parser.add_argument("--rows", type=int, default=300, help="rows of make_db.py's log")
    parser.add_argument("--db", type=Path, help="a log to copy instead of making one")
    parser.add_argument("--start-timeout", type=float, default=900)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--url", help="a backend already running there (not started)")
    parser.add_argument("--batch-size", help="export otlp's --batch-size")
    parser.add_argument("--request-timeout", help="export otlp's --request-timeout")
    args = parser.parse_args()
    for option in ("batch_size", "request_timeout"):
        if getattr(args, option):
            EXPORT_ARGS.extend([f"--{option.replace('_', '-')}", getattr(args, option)])
    backend = Phoenix() if args.backend == "phoenix" else MLflow()
    work = Path(tempfile.mkdtemp(prefix=f"agentlog-{backend.name}-"))
    db = make_log(work, args.rows, args.db)
    want = expected_spans(db)
    traces = len({s["trace_id"] for s in want.values()})
    if args.url:
        server, up = None, 0.0
        backend.url = args.url
        backend.version = metadata.version({"phoenix": "arize-phoenix"}.get(backend.name,
                                                                           backend.name))
    else:
        server, health = backend.start(work)
    try:
        if server:
            up = wait_for(health, server, args.start_timeout)
        said, took = backend.send(db)
        got, waited = _settled(backend, len(want))
        problems, found = compare(want, got)
        again, took_again = backend.send(db)
        after, _ = _settled(backend, len(want))
        if len(after) != len(got):
            problems.append(f"a second export changed the span count: {len(got)} → "
                            f"{len(after)}")
        print(f"{backend.name} {backend.version} (up in {up:.0f} s): {said} in {took:.1f} s; "
              f"read back {len(got)} of {len(want)} spans of {traces} traces (after "
              f"{waited:.0f} s); second export ({took_again:.1f} s): {len(after)} spans; "
              f"{len(problems)} problem(s)")
        for problem in problems[:20]:
            print("  " + problem)
        report(found)
        sys.exit(1 if problems else 0)
    finally:
        if server:
            server.terminate()
            server.wait(60)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"(work folder: {work})")


def _settled(backend, sent: int, quiet: float = 60, seconds: float = 900) \
        -> tuple[list[dict], float]:
    """What the backend holds once it has every span sent, or has added none for `quiet`
    seconds (both backends ingest asynchronously, in bursts)."""
    started = changed = time.monotonic()
    last = -1
    while True:
        got = backend.read()
        now = time.monotonic()
        if len(got) != last:
            last, changed = len(got), now
        if len(got) >= sent or now - changed > quiet or now - started > seconds:
            return got, now - started
        time.sleep(5)


if __name__ == "__main__":
    main()
