"""What migrations m060 and m120 create: the daily and hourly totals of the executions and
their duration histograms, tables kept equal to the live rows by triggers on `executions`
(whoever writes), and filled once from the rows. rollups.py and durations.py read them.

The steps call these, so what they create must not change: a change is the next migration.
"""

from __future__ import annotations


def create_totals(db) -> None:
    # Reports over months read hundreds of thousands of index entries. Two tables hold the
    # counts and sums of the executions of each UTC day and each UTC hour (the first 10 or 13
    # characters of created_at) per combination of the columns reports group and filter on
    # (rollups.py). Triggers add each execution on insert, move it on update and take it
    # out on delete, so both always sum the live rows, whoever writes. NULLs are values of the
    # combination, so the primary key is the bucket and the combination spelled with quote().
    keys = ("agent_type", "agent_version", "model_id", "chosen_model_id", "tenant_id",
            "status", "error_class", "cache_hit", "fallback_reason", "attempts_count")
    adds = {  # sum column: what one execution adds to it
        "executions": "1",
        "priced": "{r}.total_cost IS NOT NULL",
        "total_cost_sum": "coalesce({r}.total_cost, 0.0)",
        "input_cost_sum": "coalesce({r}.input_cost, 0.0)",
        "output_cost_sum": "coalesce({r}.output_cost, 0.0)",
        "total_tokens_sum": "coalesce({r}.total_tokens, 0)",
        "duration_sum": "coalesce({r}.duration_ms, 0)",
        "timed": "{r}.duration_ms IS NOT NULL",
        "ttft_sum": "coalesce({r}.time_to_first_token_ms, 0)",
        "ttft_count": "{r}.time_to_first_token_ms IS NOT NULL",
    }
    costs = ("total_cost_sum", "input_cost_sum", "output_cost_sum")
    watched = ", ".join(("created_at", *keys, "total_cost", "input_cost", "output_cost",
                         "total_tokens", "duration_ms", "time_to_first_token_ms"))
    names = ", ".join(("bucket", "key", *keys, *adds))

    def key(r: str) -> str:
        return " || ',' || ".join(f"quote({r}.{k})" for k in keys)

    def bucket(r: str, width: int) -> str:
        return f"coalesce(substr({r}.created_at, 1, {width}), '')"

    def total(s: str, value: str) -> str:  # the SUM of a column over many rows
        return f"total({value})" if s in costs else f"sum({value})"

    for table, width in (("execution_hours", 13), ("execution_days", 10)):
        def where(r: str, width=width) -> str:
            return f"bucket = {bucket(r, width)} AND key = {key(r)}"

        sums = ", ".join(f"{s} {'REAL' if s in costs else 'INTEGER'} NOT NULL" for s in adds)
        db.execute(f"CREATE TABLE IF NOT EXISTS {table} (bucket TEXT NOT NULL, "
                   f"key TEXT NOT NULL, {', '.join(keys)}, {sums}, PRIMARY KEY (bucket, key)) "
                   "WITHOUT ROWID")
        add = (f"INSERT INTO {table} ({names}) VALUES ({bucket('new', width)}, {key('new')}, "
               + ", ".join(f"new.{k}" for k in keys) + ", "
               + ", ".join(v.format(r="new") for v in adds.values())
               + ") ON CONFLICT (bucket, key) DO UPDATE SET "
               + ", ".join(f"{s} = {s} + excluded.{s}" for s in adds))
        # Taking a row out: when no priced row is left, the costs are 0.0 again exactly, not
        # the rounding left over from subtracting floats; an emptied combination is deleted.
        take = (f"UPDATE {table} SET "
                + ", ".join(f"{s} = CASE WHEN priced = ({adds['priced'].format(r='old')}) "
                            f"THEN 0.0 ELSE {s} - {adds[s].format(r='old')} END" if s in costs
                            else f"{s} = {s} - ({adds[s].format(r='old')})" for s in adds)
                + f" WHERE {where('old')}; "
                f"DELETE FROM {table} WHERE {where('old')} AND executions = 0")
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_insert AFTER INSERT ON executions "
                   f"BEGIN {add}; END")
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_update "
                   f"AFTER UPDATE OF {watched} ON executions BEGIN {take}; {add}; END")
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_delete AFTER DELETE ON executions "
                   f"BEGIN {take}; END")
        db.execute(f"DELETE FROM {table}")
    # Filled once from the rows; the days are the sums of the hours.
    db.execute(
        f"INSERT INTO execution_hours ({names}) SELECT {bucket('e', 13)}, {key('e')}, "
        + ", ".join(f"e.{k}" for k in keys) + ", "
        + ", ".join(total(s, v.format(r="e")) for s, v in adds.items())
        + " FROM executions AS e GROUP BY 1, 2")
    db.execute(
        f"INSERT INTO execution_days ({names}) SELECT substr(bucket, 1, 10), key, "
        + ", ".join(keys) + ", " + ", ".join(total(s, s) for s in adds)
        + " FROM execution_hours GROUP BY 1, 2")


def create_duration_histograms(db) -> None:
    # A percentile over a month read every duration of it from the time index. Histograms of
    # duration per UTC day and hour make it a sum over a few hundred rows (durations.py).
    # `duration_bins` holds the bins: each [lo, hi) spans at most 5% of lo (below 20 ms every
    # millisecond is its own bin), so the middle of a bin is within 2.5% of any value in it.
    # Everything below 1 ms falls into bin 0, everything past the last bound into the last.
    bounds, lo = [0, 1], 1
    while lo < 2 ** 40:
        lo = max(lo + 1, int(lo * 1.05))
        bounds.append(lo)
    db.execute("CREATE TABLE IF NOT EXISTS duration_bins (lo INTEGER PRIMARY KEY, "
               "hi INTEGER NOT NULL)")
    db.execute("DELETE FROM duration_bins")
    db.conn.executemany("INSERT INTO duration_bins VALUES (?, ?)",
                        zip(bounds, bounds[1:], strict=False))

    def bin_of(r: str) -> str:
        return (f"coalesce((SELECT lo FROM duration_bins WHERE lo <= {r}.duration_ms "
                "ORDER BY lo DESC LIMIT 1), 0)")

    for table, width in (("execution_hour_durations", 13), ("execution_day_durations", 10)):
        bucket = "coalesce(substr({r}.created_at, 1, " + str(width) + "), '')"
        db.execute(f"CREATE TABLE IF NOT EXISTS {table} (bucket TEXT NOT NULL, "
                   "lo INTEGER NOT NULL, executions INTEGER NOT NULL, "
                   "PRIMARY KEY (bucket, lo)) WITHOUT ROWID")
        add = (f"INSERT INTO {table} (bucket, lo, executions) "
               f"SELECT {bucket.format(r='new')}, {bin_of('new')}, 1 "
               "WHERE new.duration_ms IS NOT NULL "
               "ON CONFLICT (bucket, lo) DO UPDATE SET executions = executions + 1")
        where = f"bucket = {bucket.format(r='old')} AND lo = {bin_of('old')}"
        take = (f"UPDATE {table} SET executions = executions - 1 "
                f"WHERE old.duration_ms IS NOT NULL AND {where}; "
                f"DELETE FROM {table} WHERE old.duration_ms IS NOT NULL AND {where} "
                "AND executions = 0")
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_insert AFTER INSERT ON executions "
                   f"WHEN new.duration_ms IS NOT NULL BEGIN {add}; END")
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_update "
                   "AFTER UPDATE OF created_at, duration_ms ON executions "
                   "WHEN old.created_at IS NOT new.created_at "
                   f"OR old.duration_ms IS NOT new.duration_ms BEGIN {take}; {add}; END")
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_delete AFTER DELETE ON executions "
                   f"WHEN old.duration_ms IS NOT NULL BEGIN {take}; END")
        db.execute(f"DELETE FROM {table}")
    # Filled once from the rows (the time index holds both columns); days sum the hours.
    db.execute("INSERT INTO execution_hour_durations (bucket, lo, executions) "
               f"SELECT coalesce(substr(e.created_at, 1, 13), ''), {bin_of('e')}, count(*) "
               "FROM executions AS e WHERE e.duration_ms IS NOT NULL GROUP BY 1, 2")
    db.execute("INSERT INTO execution_day_durations (bucket, lo, executions) "
               "SELECT substr(bucket, 1, 10), lo, sum(executions) "
               "FROM execution_hour_durations GROUP BY 1, 2")
