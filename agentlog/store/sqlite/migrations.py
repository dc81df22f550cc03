"""The schema, grown by ordered, named steps recorded in the `_migrations` table.

Never edit a migration that has shipped; append the next one. PRAGMA user_version holds the
number of applied steps so that opening an up-to-date database costs one pragma.
"""

from __future__ import annotations

from collections.abc import Callable

MIGRATIONS: list[Callable] = []
SCANS: set[str] = set()  # the steps that read or rewrite every execution


def migration(fn: Callable) -> Callable:
    MIGRATIONS.append(fn)
    return fn


def scans(fn: Callable) -> Callable:
    """Marks a step whose time grows with the log (an index built, every row copied): on a
    large log the upgrade says so before it starts (upgrade.py)."""
    SCANS.add(fn.__name__)
    return fn


@migration
def m001_executions(db) -> None:
    db["executions"].create(
        {
            "id": int,
            "agent_type": str,
            "agent_version": str,
            "model_id": str,
            "chosen_model_id": str,
            "provider": str,
            "status": str,
            "created_at": str,
            "started_at": str,
            "completed_at": str,
            "duration_ms": int,
            "time_to_first_token_ms": int,
            "input_tokens": int,
            "output_tokens": int,
            "total_tokens": int,
            "cached_tokens": int,
            "cache_creation_tokens": int,
            "reasoning_tokens": int,
            "input_cost": float,
            "output_cost": float,
            "total_cost": float,
            "cost_source": str,
            "streaming": int,
            "temperature": float,
            "finish_reason": str,
            "parameters": str,
            "system_prompt": str,
            "user_prompt": str,
            "response": str,
            "error_class": str,
            "error_message": str,
            "metadata": str,
            "tool_calls": str,
            "tool_calls_count": int,
            "attempts": str,
            "attempts_count": int,
            "fallback_chain": str,
            "fallback_reason": str,
            "cache_hit": int,
            "retryable": int,
            "rate_limited": int,
            "tenant_id": str,
            "batch_id": str,
            "deadline_at": str,
            "pid": int,
        },
        pk="id",
        not_null={"agent_type", "status", "created_at"},
        defaults={"streaming": 0, "tool_calls_count": 0, "attempts_count": 0, "cache_hit": 0,
                  "retryable": 0, "rate_limited": 0},
    )
    table = db["executions"]
    table.create_index(["created_at"])
    for column in ("agent_type", "status", "chosen_model_id", "tenant_id"):
        table.create_index([column, "created_at"])


@migration
def m002_fulltext(db) -> None:
    # External content: the text is stored once, in executions. The writer indexes a row once,
    # when it is finalized (never through triggers, which re-index on every UPDATE).
    db.execute(
        "CREATE VIRTUAL TABLE executions_fts USING fts5("
        "system_prompt, user_prompt, response, error_message, "
        "content='executions', content_rowid='id')"
    )


@migration
def m010_breakers(db) -> None:
    # One row per (agent, model) that has failed recently; no row means a closed circuit.
    # `failures` holds the times of recent retryable failures (JSON); `reopen_at` ends the
    # cooldown of an open circuit, or the claim of a half-open trial call.
    db.execute(
        "CREATE TABLE IF NOT EXISTS breakers ("
        "agent TEXT NOT NULL, model TEXT NOT NULL, state TEXT NOT NULL, "
        "failures TEXT NOT NULL DEFAULT '[]', opened_at TEXT, reopen_at TEXT, updated_at TEXT, "
        "PRIMARY KEY (agent, model))"
    )


@migration
def m011_response_cache(db) -> None:
    # Successful answers by request hash; `execution_id` is the execution that produced one.
    db.execute(
        "CREATE TABLE IF NOT EXISTS response_cache ("
        "key TEXT PRIMARY KEY, agent TEXT NOT NULL, model TEXT, provider TEXT, response TEXT, "
        "finish_reason TEXT, input_tokens INTEGER, output_tokens INTEGER, cached_tokens INTEGER, "
        "cache_creation_tokens INTEGER, reasoning_tokens INTEGER, execution_id INTEGER, "
        "created_at TEXT NOT NULL, expires_at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_response_cache_expires_at "
               "ON response_cache (expires_at)")


@migration
@scans
def m020_filter_indexes(db) -> None:
    # The count and cost of every match (list's footer) over all time or a period are read
    # from (created_at, total_cost) instead of scanning rows that carry kilobytes of text.
    # --model matches the chosen OR the configured model: with both columns indexed SQLite
    # answers the OR from two index lookups instead of scanning the wide table. Most rows
    # have no batch, so the batch index holds only the rows that do. IF NOT EXISTS: re-running
    # the step on a database that already has them is harmless.
    db["executions"].create_index(["created_at", "total_cost"], if_not_exists=True)
    db["executions"].create_index(["model_id", "created_at"], if_not_exists=True)
    db.execute("CREATE INDEX IF NOT EXISTS idx_executions_batch_id ON executions(batch_id) "
               "WHERE batch_id IS NOT NULL")


@migration
@scans
def m040_report_indexes(db) -> None:
    # Rows carry kilobytes of prompt and response text, so an aggregate that reads the table
    # reads about one row per page. Each index here holds every column its report reads
    # (PERF_NOTES.md), so reports are answered from the indexes alone.
    indexes = {
        # cost-by-agent (over a period: one range per agent), trend --agent, and the
        # percentiles of one agent (or one of its versions) over a period: a range, a sort
        "idx_report_agent": "agent_type, created_at, total_cost, total_tokens, status, "
                            "duration_ms, time_to_first_token_ms, agent_version",
        # cost-by-model and cost-by-tenant, read in group order without a sort
        "idx_report_model": "chosen_model_id, created_at, total_cost, total_tokens",
        "idx_report_tenant": "tenant_id, created_at, total_cost, total_tokens",
        # trend, daily and any report over a period; also the count and cost of list's footer
        "idx_report_time": "created_at, agent_type, chosen_model_id, tenant_id, status, "
                           "total_cost, total_tokens, duration_ms",
        # stats AGENT, grouped by version, model and outcome in index order (aggregates.py)
        "idx_report_stats": "agent_type, agent_version, chosen_model_id, status, error_class, "
                            "cache_hit, fallback_reason, attempts_count, created_at, "
                            "total_cost, input_cost, output_cost, total_tokens, duration_ms, "
                            "time_to_first_token_ms",
        # percentiles of one agent over all time: ORDER BY the value steps over index entries
        "idx_report_duration": "agent_type, duration_ms, created_at, agent_version",
    }
    for name, columns in indexes.items():
        db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON executions({columns})")
    db.execute("CREATE INDEX IF NOT EXISTS idx_report_ttft ON executions(agent_type, "
               "time_to_first_token_ms, created_at, agent_version) "
               "WHERE time_to_first_token_ms IS NOT NULL")  # streaming rows only
    # idx_report_time starts with created_at and holds total_cost, so it answers list's footer
    # too: m020's (created_at, total_cost) index is redundant, one index fewer per write.
    db.execute("DROP INDEX IF EXISTS idx_executions_created_at_total_cost")
    # A database that was ANALYZEd gets statistics for the new indexes too: without them the
    # planner may prefer an older, narrower index that it has statistics for.
    if db["sqlite_stat1"].exists():
        for name in (*indexes, "idx_report_ttft"):
            db.execute(f"ANALYZE {name}")


@migration
@scans
def m050_execution_meta(db) -> None:
    # `--meta key=value` over json_extract reads the metadata of every row: seconds on a large
    # log, even when nothing matches. This table holds each execution's top-level metadata keys
    # with the JSON type and value json_each gives (json_extract's reading), indexed by key,
    # type and value: every test of `--meta` names the types it can match.
    # Triggers keep it in step with every insert, metadata update and delete, whoever writes.
    db.execute(
        "CREATE TABLE IF NOT EXISTS execution_meta (execution_id INTEGER NOT NULL, "
        "key TEXT NOT NULL, type TEXT NOT NULL, value, PRIMARY KEY (execution_id, key)) "
        "WITHOUT ROWID")
    db.execute("CREATE INDEX IF NOT EXISTS idx_execution_meta_key "
               "ON execution_meta (key, type, value)")
    copy = ("INSERT OR IGNORE INTO execution_meta (execution_id, key, type, value) "
            "SELECT {id}, j.key, j.type, j.value FROM json_each({meta}) AS j "
            "WHERE CASE WHEN json_valid({meta}) THEN json_type({meta}) = 'object' END")
    db.execute("CREATE TRIGGER IF NOT EXISTS execution_meta_insert AFTER INSERT ON executions "
               "WHEN new.metadata IS NOT NULL BEGIN "
               + copy.format(id="new.id", meta="new.metadata") + "; END")
    db.execute("CREATE TRIGGER IF NOT EXISTS execution_meta_update "
               "AFTER UPDATE OF id, metadata ON executions BEGIN "
               "DELETE FROM execution_meta WHERE execution_id = old.id; "
               + copy.format(id="new.id", meta="new.metadata") + "; END")
    db.execute("CREATE TRIGGER IF NOT EXISTS execution_meta_delete AFTER DELETE ON executions "
               "BEGIN DELETE FROM execution_meta WHERE execution_id = old.id; END")
    db.execute("DELETE FROM execution_meta")
    db.execute(
        "INSERT OR IGNORE INTO execution_meta (execution_id, key, type, value) "
        "SELECT e.id, j.key, j.type, j.value FROM executions AS e, json_each(e.metadata) AS j "
        "WHERE e.metadata IS NOT NULL AND "
        "CASE WHEN json_valid(e.metadata) THEN json_type(e.metadata) = 'object' END")
    if db["sqlite_stat1"].exists():
        db.execute("ANALYZE execution_meta")


@migration
@scans
def m060_execution_totals(db) -> None:
    from agentlog.store.sqlite import totals

    totals.create_totals(db)


@migration
@scans
def m070_search_follows_rows(db) -> None:
    # The full-text index was fed by agentlog's writer alone, so rows changed by other tools
    # drifted from it (and deleting them could corrupt it). Now triggers keep it (schema.py),
    # declared so that sqlite-utils and Datasette find it; rebuilt here from the rows.
    from agentlog.store.sqlite import schema

    for name in ("executions_fts_insert", "executions_fts_update", "executions_fts_delete",
                 "response_cache_delete", "execution_meta_insert", "execution_meta_update",
                 "execution_meta_delete"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    db.execute("DROP TABLE IF EXISTS executions_fts")
    schema.fts_create(db.conn)
    schema.fts_rebuild(db.conn)
    # The side tables that point at an execution declare it, so that other tools link them.
    # SQLite adds a foreign key only by rebuilding a table (the triggers naming it went above).
    db.execute("ALTER TABLE execution_meta RENAME TO execution_meta_old")
    db.execute("DROP INDEX IF EXISTS idx_execution_meta_key")
    db.execute(
        "CREATE TABLE execution_meta (execution_id INTEGER NOT NULL "
        "REFERENCES executions(id) ON DELETE CASCADE, "
        "key TEXT NOT NULL, type TEXT NOT NULL, value, PRIMARY KEY (execution_id, key)) "
        "WITHOUT ROWID")
    db.execute("INSERT INTO execution_meta SELECT * FROM execution_meta_old")
    db.execute("DROP TABLE execution_meta_old")
    db.execute("CREATE INDEX idx_execution_meta_key ON execution_meta (key, type, value)")
    copy = ("INSERT OR IGNORE INTO execution_meta (execution_id, key, type, value) "
            "SELECT {id}, j.key, j.type, j.value FROM json_each({meta}) AS j "
            "WHERE CASE WHEN json_valid({meta}) THEN json_type({meta}) = 'object' END")
    db.execute("CREATE TRIGGER execution_meta_insert AFTER INSERT ON executions "
               "WHEN new.metadata IS NOT NULL BEGIN "
               + copy.format(id="new.id", meta="new.metadata") + "; END")
    db.execute("CREATE TRIGGER execution_meta_update "
               "AFTER UPDATE OF id, metadata ON executions BEGIN "
               "DELETE FROM execution_meta WHERE execution_id = old.id; "
               + copy.format(id="new.id", meta="new.metadata") + "; END")
    db.execute("CREATE TRIGGER execution_meta_delete AFTER DELETE ON executions "
               "BEGIN DELETE FROM execution_meta WHERE execution_id = old.id; END")
    # A cached answer is text of its execution: it goes with the execution, whoever deletes.
    db.execute("ALTER TABLE response_cache RENAME TO response_cache_old")
    db.execute("DROP INDEX IF EXISTS idx_response_cache_expires_at")
    db.execute("DROP INDEX IF EXISTS idx_response_cache_execution_id")
    db.execute(
        "CREATE TABLE response_cache ("
        "key TEXT PRIMARY KEY, agent TEXT NOT NULL, model TEXT, provider TEXT, response TEXT, "
        "finish_reason TEXT, input_tokens INTEGER, output_tokens INTEGER, cached_tokens INTEGER, "
        "cache_creation_tokens INTEGER, reasoning_tokens INTEGER, "
        "execution_id INTEGER REFERENCES executions(id) ON DELETE CASCADE, "
        "created_at TEXT NOT NULL, expires_at TEXT NOT NULL)")
    db.execute("INSERT INTO response_cache SELECT * FROM response_cache_old")
    db.execute("DROP TABLE response_cache_old")
    db.execute("CREATE INDEX idx_response_cache_expires_at ON response_cache (expires_at)")
    db.execute("CREATE INDEX idx_response_cache_execution_id ON response_cache (execution_id)")
    db.execute("CREATE TRIGGER response_cache_delete AFTER DELETE ON executions "
               "BEGIN DELETE FROM response_cache WHERE execution_id = old.id; END")
    if db["sqlite_stat1"].exists():
        db.execute("ANALYZE execution_meta")
        db.execute("ANALYZE response_cache")


@migration
def m080_payloads_purged_at(db) -> None:
    # `prune --payloads` drops an execution's text and keeps its numbers; the row says when.
    if "payloads_purged_at" not in db["executions"].columns_dict:
        db.execute("ALTER TABLE executions ADD COLUMN payloads_purged_at TEXT")



@migration
def m090_alerts_sent(db) -> None:
    # One row per alert condition that was notified (a budget threshold in one period, an
    # error spike, a circuit opening or closing): the primary key is the claim that lets only
    # one process of many send it.
    db.execute("CREATE TABLE IF NOT EXISTS alerts_sent ("
               "key TEXT PRIMARY KEY, kind TEXT NOT NULL, sent_at TEXT NOT NULL)")


@migration
def m100_execution_host_and_reservations(db) -> None:
    # The host beside the pid: only the host that wrote a running row can tell from its pid
    # whether it is still being worked on. Reservations: the worst-case cost each running
    # execution holds against the hard budgets until it is finalized (running rows are never
    # pruned, so no trigger on deletes slows prune down).
    if "host" not in db["executions"].columns_dict:
        db.execute("ALTER TABLE executions ADD COLUMN host TEXT")
    db.execute("CREATE TABLE IF NOT EXISTS reservations (execution_id INTEGER PRIMARY KEY, "
               "created_at TEXT NOT NULL, agent_type TEXT, tenant_id TEXT, cost REAL NOT NULL)")


@migration
def m110_otel_fields(db) -> None:
    # What the OpenTelemetry GenAI conventions name and agentlog dropped: the model and the
    # response id the provider answered with, and the server the last attempt went to. And
    # the log's own random id, from which `export otlp` derives trace ids that no other log
    # shares (`db copy` carries it).
    columns = db["executions"].columns_dict
    for name, kind in (("response_model", "TEXT"), ("response_id", "TEXT"),
                       ("server_address", "TEXT"), ("server_port", "INTEGER")):
        if name not in columns:
            db.execute(f"ALTER TABLE executions ADD COLUMN {name} {kind}")
    db.execute("CREATE TABLE IF NOT EXISTS log_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT OR IGNORE INTO log_meta VALUES ('log_id', lower(hex(randomblob(16))))")


@migration
def m120_duration_buckets(db) -> None:
    from agentlog.store.sqlite import totals

    totals.create_duration_histograms(db)


@migration
def m130_cost_order_index(db) -> None:
    # Sorting by cost (`list --sort cost`, the dashboard's cost column) sorted every row for
    # the first page; in index order it reads one page of entries, first page or keyset.
    db.execute("CREATE INDEX IF NOT EXISTS idx_executions_cost ON executions(total_cost, id)")
    if db["sqlite_stat1"].exists():
        db.execute("ANALYZE idx_executions_cost")


@migration
def m140_request_max_tokens(db) -> None:
    # The answer's token limit the agent asked for: the GenAI conventions' request attribute
    # beside the temperature, which was already kept.
    if "max_tokens" not in db["executions"].columns_dict:
        db.execute("ALTER TABLE executions ADD COLUMN max_tokens INTEGER")


SCHEMA_VERSION = len(MIGRATIONS)
