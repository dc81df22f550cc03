"""PostgreSQL reads the newest rows of a large log through its indexes: the plans of the
commands that must stay fast whatever the log's size (no sort of every row)."""

from __future__ import annotations

import json

import pytest

from agentlog import store
from agentlog.store.postgres import select
from agentlog.store.query import Query

pytestmark = pytest.mark.postgres


def plan_nodes(url: str, query: Query) -> list[str]:
    """The node types of the plan of `query`'s SELECT, as if the log were too large to read
    whole (sequential scans priced out)."""
    from agentlog.store.postgres import connect

    store.open(url).close()
    conn = connect.connect(url)
    try:
        conn.execute("SET enable_seqscan = off")
        sql, params = select.select_sql(query)
        found = conn.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()[0]
    finally:
        conn.close()
    plan = found if isinstance(found, list) else json.loads(found)
    nodes, todo = [], [plan[0]["Plan"]]
    while todo:
        node = todo.pop()
        nodes.append(node["Node Type"])
        todo.extend(node.get("Plans", []))
    return nodes


def test_the_newest_rows_come_from_the_primary_key_read_backwards(pg_url):
    nodes = plan_nodes(pg_url, Query().limit(20))
    assert "Sort" not in nodes and any(n.startswith("Index") for n in nodes)

