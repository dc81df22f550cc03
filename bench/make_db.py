"""Build a realistic synthetic agentlog database of N executions for benchmarks.

The schema comes from the project's own migrations (agentlog.store.sqlite.db.connect); rows are
drawn by a worker process and bulk-inserted with executemany while the migrations' indexes are
set aside (then created again from their own SQL), their metadata indexed by the migrations'
triggers, the daily and hourly totals filled once at the end by their own migration step (its
triggers set aside during the load), and the full-text index (its triggers set aside too) is
filled once at the end from the finalized rows, as the migration that creates it does.

    python bench/make_db.py --rows 1000000 bench/data/1m.db
    python bench/make_db.py --rows 100000 bench/data/100k.db --db postgresql://…/agentlog

With --db URL the same rows then go into that log (an empty PostgreSQL database, say)
through `agentlog db copy`, so that both backends hold the same log.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import random
import sys
import time
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlite_utils  # noqa: E402

from agentlog.store.sqlite import db, migrations, schema  # noqa: E402

# agent -> (primary model, fallback model, typical input tokens, typical output tokens)
AGENTS = {
    "summarize": ("gpt-4o-mini", "claude-3-5-haiku-20241022", 1800, 250),
    "classify": ("gpt-4o-mini", "gpt-4o", 400, 10),
    "extract": ("gpt-4o", "gpt-4o-mini", 2500, 400),
    "translate": ("claude-3-5-haiku-20241022", "gpt-4o-mini", 900, 900),
    "support-bot": ("claude-3-5-sonnet-20241022", "gpt-4o", 3000, 600),
    "code-review": ("gpt-4o", "claude-3-5-sonnet-20241022", 6000, 1200),
}
AGENT_WEIGHTS = [30, 25, 12, 10, 15, 8]
TENANTS = ["acme", "globex", "initech", "umbrella", None]
TENANT_WEIGHTS = [35, 20, 10, 5, 30]
ERRORS = [  # (error_class, fallback_reason, retryable, rate_limited, http_status, message)
    ("RateLimitError", "rate_limit", 1, 1, 429, "Rate limit reached for requests"),
    ("InternalServerError", "server_error", 1, 0, 500, "The server had an error"),
    ("ServiceUnavailableError", "server_error", 1, 0, 503, "The engine is currently overloaded"),
    ("AuthenticationError", "auth", 0, 0, 401, "Incorrect API key provided"),
    ("ContextWindowExceededError", "context_window", 0, 0, 400,
     "This model's maximum context length is 128000 tokens"),
    ("BadRequestError", "bad_request", 0, 0, 400, "Invalid value for 'temperature'"),
]
ERROR_WEIGHTS = [40, 20, 15, 5, 12, 8]
COMMON = ("the of and to in is for on with that this it as at by from be are was we you "
          "please can should will not all any our your they them").split()
DOMAIN = ("agent log model token cost latency budget customer order refund shipping payment "
          "account password reset error timeout retry fallback summary report weekly release "
          "deploy database index query cache stream tool weather forecast city translate german "
          "french contract clause liability review function variable test coverage performance "
          "memory leak thread lock queue message kafka postgres sqlite python rust typescript "
          "kubernetes cluster node pod throughput quarterly revenue growth churn onboarding "
          "feedback survey ticket priority incident outage monitoring alert dashboard metric "
          "anomaly inventory supplier warehouse").split()
SYLLABLES = "ka lo mi ne ru sa te vo zi pa do fe gu hi ja ke li mo nu po".split()
SEARCH_WORD = "invoice"  # in 1% of prompts: what bench/run.py searches for
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 20, 19, 16, 18, 20, 19, 16, 12, 8, 6, 4, 3, 2, 1]


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Words with a Zipf-like frequency: function words, domain words, then a long tail of
    rare made-up words, so that a search term matches a realistic share of the rows."""
    rare = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
                   for _ in range(30000)})
    words = COMMON + DOMAIN + rare
    return words, list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))


def make_text(rng: random.Random, words: int, vocab: tuple[list[str], list[float]]) -> str:
    drawn = rng.choices(vocab[0], cum_weights=vocab[1], k=words)
    sentences = []
    for start in range(0, words, 12):
        sentence = " ".join(drawn[start:start + 12])
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    return " ".join(sentences)


def prices() -> dict[str, tuple[float, float]]:
    """USD per token for each model, from litellm's bundled price map (read once)."""
    from agentlog.runner import llm

    out = {}
    for model in {m for a in AGENTS.values() for m in a[:2]}:
        found = llm.price(model, 1_000_000, 1_000_000)
        out[model] = (found[0] / 1e6, found[1] / 1e6) if found else (1e-6, 2e-6)
    return out


def timestamps(rng: random.Random, n: int, days: int, now: datetime) -> list[datetime]:
    """n times over the last `days` days with a daily and a weekly rhythm, oldest first."""
    start = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    day_weights = [0.35 if (start + timedelta(days=d)).weekday() >= 5 else 1.0
                   for d in range(days + 1)]
    day_choices = rng.choices(range(days + 1), weights=day_weights, k=n)
    hour_choices = rng.choices(range(24), weights=HOUR_WEIGHTS, k=n)
    out = []
    for d, h in zip(day_choices, hour_choices, strict=True):
        t = start + timedelta(days=d, hours=h, seconds=rng.random() * 3600)
        out.append(min(t, now - timedelta(seconds=1)))
    out.sort()
    return out


def iso(t: datetime) -> str:
    return f"{t.isoformat(timespec='milliseconds')[:23]}Z"


def pick(rng: random.Random, items: list, weights: list) -> object:
    return rng.choices(items, weights=weights)[0]


class Generator:
    """Rows drawn from pools of pre-rendered text and JSON, so that a million rows stay cheap."""

    def __init__(self, seed: int, price_map: dict[str, tuple[float, float]]):
        self.rng = rng = random.Random(seed)
        self.prices = price_map
        vocab = vocabulary(rng)
        self.systems = [make_text(rng, rng.randint(15, 40), vocab) for _ in range(50)]
        self.prompts = [make_text(rng, rng.randint(120, 350), vocab) for _ in range(4000)]
        for i in range(0, len(self.prompts), 100):  # 1% of prompts mention the search word
            self.prompts[i] += f" Please check the attached {SEARCH_WORD}."
        self.responses = [make_text(rng, rng.randint(40, 220), vocab) for _ in range(4000)]
        self.batches = [f"b-{i:05d}" for i in range(2000)] + [None] * 18000
        self.metas = [json.dumps({"team": rng.choice(["docs", "support", "sales", "eng"]),
                                  "source": rng.choice(["cli", "cron", "api"]),
                                  "ticket": rng.randint(1, 50000),
                                  "env": rng.choice(["prod", "prod", "staging"])})
                      for _ in range(5000)]
        self.params = [json.dumps({"text": "...", "style": s}) for s in ("neutral", "casual")]
        self.agents = [a for a, w in zip(AGENTS, AGENT_WEIGHTS, strict=True) for _ in range(w)]
        self.tenants = [t for t, w in zip(TENANTS, TENANT_WEIGHTS, strict=True) for _ in range(w)]
        self.errors = [e for e, w in zip(ERRORS, ERROR_WEIGHTS, strict=True) for _ in range(w)]
        self.tool_calls = json.dumps([{"id": "call_1", "name": "get_weather",
                                       "arguments": '{"city": "Berlin"}', "result": "sunny",
                                       "error": None, "duration_ms": 3}])
        self.versions = {a: f"{zlib.crc32(a.encode()):08x}" for a in AGENTS}

    def row(self, t: datetime, running: bool) -> tuple:
        rng = self.rng
        r = rng.random
        agent = rng.choice(self.agents)
        model, fallback, tin, tout = AGENTS[agent]
        roll = r()
        status = "running" if running else ("error" if roll < 0.05 else
                                            "timeout" if roll < 0.06 else "success")
        ok = status == "success"
        cache_hit = ok and r() < 0.08
        fell_back = not running and r() < 0.03
        chosen = fallback if fell_back else model
        streaming = r() < 0.3
        tools = r() < 0.1
        duration = rng.randint(1, 8) if cache_hit else int(rng.lognormvariate(7.0, 0.6))
        input_tokens = max(5, int(tin * (0.5 + r())))
        output_tokens = max(1, int(tout * (0.4 + 1.2 * r()))) if ok else 0
        pin, pout = self.prices[chosen]
        icost, ocost = (0.0, 0.0) if cache_hit else (input_tokens * pin, output_tokens * pout)
        error = rng.choice(self.errors) if status == "error" else None
        chain = f'["{model}", "{fallback}"]' if fell_back else f'["{model}"]'
        attempts = (f'[{{"model": "{model}", "attempt": 1, "status": "error"}}, '
                    if fell_back else "[") + (
            "]" if running else
            f'{{"model": "{chosen}", "attempt": {2 if fell_back else 1}, "status": "{status}", '
            f'"duration_ms": {duration}, "input_tokens": {input_tokens}, '
            f'"output_tokens": {output_tokens}, "cost": {icost + ocost}}}]')
        stamp = iso(t)
        return (
            agent, self.versions[agent], model, chosen,
            "anthropic" if chosen[0] == "c" else "openai", status, stamp, stamp,
            None if running else iso(t + timedelta(milliseconds=duration)),
            None if running else duration,
            int(duration * (0.1 + 0.3 * r())) if streaming and ok else None,
            input_tokens, None if running else output_tokens, input_tokens + output_tokens,
            None, None, None,
            None if running else icost, None if running else ocost,
            None if running else icost + ocost, "litellm-1.106.2", int(streaming),
            0.2, None if running else ("tool_calls" if tools else "stop"),
            self.params[roll < 0.5],
            rng.choice(self.systems), rng.choice(self.prompts),
            rng.choice(self.responses) if ok else None,
            error[0] if error else ("Timeout" if status == "timeout" else None),
            error[5] if error else ("Request timed out" if status == "timeout" else None),
            rng.choice(self.metas), self.tool_calls if tools else None, int(tools),
            attempts, (2 if fell_back else 1) - running, chain,
            (error[1] if error else "rate_limit") if fell_back else None,
            int(cache_hit), int(bool(error and error[2])),
            int(bool(error and error[3]) or (fell_back and not error)),
            rng.choice(self.tenants), rng.choice(self.batches),
            iso(t + timedelta(seconds=300)), 4242,
        )


COLUMNS = (
    "agent_type agent_version model_id chosen_model_id provider status created_at started_at "
    "completed_at duration_ms time_to_first_token_ms input_tokens output_tokens total_tokens "
    "cached_tokens cache_creation_tokens reasoning_tokens input_cost output_cost total_cost "
    "cost_source streaming temperature finish_reason parameters system_prompt user_prompt "
    "response error_class error_message metadata tool_calls tool_calls_count attempts "
    "attempts_count fallback_chain fallback_reason cache_hit retryable rate_limited tenant_id "
    "batch_id deadline_at pid"
).split()


_generator: Generator | None = None  # the worker process's own


def _start_worker(seed: int, price_map: dict[str, tuple[float, float]]) -> None:
    global _generator
    _generator = Generator(seed, price_map)


def _rows(times: list[datetime], running_from: int) -> list[tuple]:
    """One chunk of rows, drawn in the worker (rows from `running_from` on stay running)."""
    return [_generator.row(t, running=i >= running_from) for i, t in enumerate(times)]


def _drop_indexes(conn) -> list[str]:
    """Drop the migrations' indexes of the two bulk-filled tables; returns their SQL, as the
    migrations wrote it, to create them again once the rows are in (one sort per index
    instead of a million random inserts into each)."""
    found = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                         "sql IS NOT NULL AND tbl_name IN ('executions', 'execution_meta')"
                         ).fetchall()
    for name, _ in found:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def _drop_totals_triggers(conn) -> None:
    """The totals' triggers would add every row to its day and hour one by one; the migration
    step that creates them is run again after the load and sums all rows at once."""
    for table in ("execution_days", "execution_hours"):
        for event in ("insert", "update", "delete"):
            conn.execute(f"DROP TRIGGER {table}_{event}")


def _drop_search_index(conn) -> None:
    """Its triggers would index the rows one by one; it is created and filled after the load."""
    for event in ("insert", "update", "delete"):
        conn.execute(f"DROP TRIGGER executions_fts_{event}")
    conn.execute("DROP TABLE executions_fts")


def build(path: Path, rows: int, days: int, seed: int) -> None:
    if path.exists():
        raise SystemExit(f"{path} exists; remove it first")
    started = time.perf_counter()
    conn = db.connect(path)  # schema (tables, indexes, triggers) through the migrations
    now = datetime.now(timezone.utc)
    times = timestamps(random.Random(seed), rows, days, now)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1048576")
    indexes = _drop_indexes(conn)
    _drop_totals_triggers(conn)
    _drop_search_index(conn)
    sql = (f"INSERT INTO executions ({', '.join(COLUMNS)}) "
           f"VALUES ({', '.join('?' for _ in COLUMNS)})")
    chunk = 20_000
    offsets = range(0, rows, chunk)
    # One worker process draws the rows while this one inserts them: the two cores overlap.
    with multiprocessing.get_context("fork").Pool(1, _start_worker, (seed, prices())) as pool:
        def submit(offset: int):
            return pool.apply_async(_rows, (times[offset:offset + chunk], rows - 3 - offset))

        pending = submit(offsets[0]) if rows else None
        for k, offset in enumerate(offsets):
            batch = pending.get()
            if k + 1 < len(offsets):
                pending = submit(offsets[k + 1])
            conn.execute("BEGIN")
            conn.executemany(sql, batch)
            conn.execute("COMMIT")
            print(f"\r{offset + len(batch):,} rows", end="", file=sys.stderr, flush=True)
    inserted = time.perf_counter()
    for statement in indexes:
        conn.execute(statement)
    migrations.m060_execution_totals(sqlite_utils.Database(conn))
    indexed = time.perf_counter()
    conn.execute("BEGIN")
    schema.fts_create(conn)
    schema.fts_rebuild(conn)
    conn.execute("COMMIT")
    searchable = time.perf_counter()
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    end = time.perf_counter()
    size = path.stat().st_size / 1e9
    print(f"\n{rows:,} rows in {end - started:.1f} s (insert {inserted - started:.1f} s, "
          f"indexes and totals {indexed - inserted:.1f} s, full-text {searchable - indexed:.1f} s, "
          f"analyze {end - searchable:.1f} s), {size:.2f} GB", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="also copy the log into this one (a postgresql:// URL)")
    args = parser.parse_args()
    if not (args.db and args.path.exists()):  # --db copies an existing log as it is
        build(args.path, args.rows, args.days, args.seed)
    if args.db:
        copy_into(args.path, args.db)


def copy_into(path: Path, url: str) -> None:
    from agentlog import store
    from agentlog.store.copy import copy

    started = time.perf_counter()
    with store.open(path) as source, store.open(url) as target:
        done = copy(source, target)
    state = "equal" if not done.mismatched else f"DIFFER on {len(done.mismatched)} days"
    print(f"copied {done.executions:,} executions into {target.where} in "
          f"{time.perf_counter() - started:.1f} s; per-day counts and costs {state}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
