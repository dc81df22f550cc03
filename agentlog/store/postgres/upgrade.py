"""Bringing a PostgreSQL log up to the schema of migrations.py. Every upgrade takes a
transaction-level advisory lock first, so that two machines opening a new database at once
migrate it once: one wins, the other waits and finds the steps done. What is not an
agentlog log, or is newer than this agentlog, is refused before anything is written.
"""

from __future__ import annotations

from agentlog import __version__
from agentlog.errors import StoreError
from agentlog.store.postgres import migrations

# Columns every agentlog `executions` table has had since m001: without them it is another's.
CORE_COLUMNS = ("id", "agent_type", "status", "created_at", "model_id", "input_tokens",
                "output_tokens", "total_cost", "user_prompt", "response", "metadata",
                "attempts", "batch_id", "deadline_at", "pid")


def applied(conn) -> int | None:
    """How many steps are recorded (None: no agentlog schema); one cheap query, no lock."""
    if conn.execute("SELECT to_regclass('_migrations')").fetchone()[0] is None:
        return None
    return conn.execute("SELECT count(*) FROM _migrations").fetchone()[0]


def foreign(conn, where: str) -> StoreError | None:
    """What makes this database's tables not an agentlog log, read before anything is
    changed: another program's `executions`, or one without agentlog's columns."""
    tables = {row[0] for row in conn.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema()")}
    if "executions" not in tables:
        return None
    if "_migrations" not in tables:
        return StoreError(f"{where} is not an agentlog log: it has a table \"executions\" but "
                          "no agentlog schema (_migrations); give another --db")
    have = {row[0] for row in conn.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = 'executions'")}
    missing = [column for column in CORE_COLUMNS if column not in have]
    if missing:
        return StoreError(f"{where}: its table \"executions\" is not agentlog's (it lacks "
                          f"{', '.join(missing[:5])}): a foreign or damaged log, left unchanged")
    return None


def check(conn, where: str, *, readonly: bool, create: bool) -> bool:
    """Whether the log must be upgraded; raises when it may not be: a foreign schema, no
    schema and not `create`, an older one and `readonly`, a newer one."""
    steps, latest = applied(conn), migrations.SCHEMA_VERSION
    if steps == latest:
        return False
    problem = foreign(conn, where)
    if problem is not None:
        raise problem
    if steps is None and not create:
        from agentlog.errors import NoLogError

        raise NoLogError(f"no agentlog log at {where} (the database has no agentlog schema; "
                         "a writing command such as `agentlog run` creates it)")
    if steps is not None and steps > latest:
        raise StoreError(f"{where} was written by a newer agentlog ({steps} steps, this is "
                         f"agentlog {__version__} with {latest}): upgrade agentlog")
    if readonly:
        raise StoreError(f"{where} has schema {steps or 0}, this agentlog reads "
                         f"{latest}: upgrade it first with `agentlog db upgrade` "
                         "(or any writing command, e.g. `agentlog run`)")
    return True


def upgrade(conn, where: str) -> None:
    """Apply the missing steps with their records, in one transaction under the lock."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (migrations.LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS _migrations "
                     "(name text PRIMARY KEY, applied_at text, agentlog_version text)")
        done = {r[0] for r in conn.execute("SELECT name FROM _migrations")}
        known = {step.__name__ for step in migrations.MIGRATIONS}
        if done - known:
            raise StoreError(f"{where} was written by a newer agentlog (steps "
                             f"{', '.join(sorted(done - known))}); this is agentlog "
                             f"{__version__}: upgrade agentlog to read it")
        from agentlog.timeutil import now_iso

        for step in migrations.MIGRATIONS:
            if step.__name__ not in done:
                step(conn)
                conn.execute("INSERT INTO _migrations VALUES (%s, %s, %s)",
                             (step.__name__, now_iso(), __version__))
