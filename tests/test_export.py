"""`agentlog export csv|json|jsonl`: every field round-trips, CSV is safe in a spreadsheet,
filters select the rows of `list`, and a failed export leaves nothing behind."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import subprocess
import sys

import pytest
from seeding import ALL, seed, table_dump

from agentlog import store
from agentlog.store.query import Query
from agentlog.store.sqlite import db
from agentlog.store.sqlite.schema import columns

TRICKY = [  # 11 · 12 · 13: floats that need 17 digits, quotes, newlines, formulas, unicode
    dict(created_at="2026-11-25T02:40:00.000Z", agent_type="csv, \"quoted\" agent",
         model_id="gpt-4o", status="success", total_cost=0.1 + 0.2,
         input_cost=200 * 0.15e-6, temperature=0.7, streaming=True, cache_hit=False,
         user_prompt='He said "hi",\nthen left.\r\nBye', response="=HYPERLINK(\"http://x\")",
         metadata={"team": "docs", "nested": {"list": [1, 2.5, None, True]}, "ü": "✓"},
         attempts=[{"model": "gpt-4o", "attempt": 1, "status": "success", "cost": 0.1}],
         fallback_chain=["gpt-4o"], tenant_id="@acme"),
    dict(created_at="2026-11-25T02:41:00.000Z", agent_type="formulas", model_id="m",
         status="error", error_class="Boom", error_message="-2+3", user_prompt="+1",
         system_prompt="\tindented", response="\rcarriage", tenant_id="plain"),
    dict(created_at="2026-11-25T02:42:00.000Z", agent_type="empty", model_id="m",
         status="success", user_prompt="", response="ok", total_cost=0.0),
]


@pytest.fixture
def log(seeded_log):
    seed(seeded_log, TRICKY)
    return seeded_log


def stored(path) -> list[dict]:
    """What the query API reads: typed records as plain values, newest first."""
    with store.open(path) as log:
        return [e.to_dict() for e in log.fetch(Query())]


def export(cli, *args):
    result = cli("export", *args)
    assert result.exit_code == 0, result.output
    return result


def text(result) -> str:
    """stdout as written (click's `stdout` turns CRLF into LF)."""
    return result.stdout_bytes.decode("utf-8")


def csv_rows(out: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(out, newline="")))


def test_jsonl_round_trips_every_field_of_the_query_results(cli, log):
    lines = export(cli, "jsonl").stdout.splitlines()
    exported = [json.loads(line) for line in lines]
    expected = stored(log)
    assert len(exported) == len(expected) == 13
    for got, want in zip(exported, expected, strict=True):
        assert list(got) == columns(db.connect(log))  # every column, in the table's order
        for key in want:
            assert got[key] == want[key], (want["id"], key)
            assert type(got[key]) is type(want[key]), (want["id"], key)


def test_json_is_one_array_of_the_same_objects(cli, log):
    array = json.loads(export(cli, "json").stdout)
    assert array == [json.loads(line) for line in export(cli, "jsonl").stdout.splitlines()]
    assert array[2]["metadata"]["nested"] == {"list": [1, 2.5, None, True]}  # not a string
    assert array[2]["streaming"] is True and array[2]["cache_hit"] is False


def test_csv_parses_with_a_header_matching_columns(cli, log):
    wanted = "id,created_at,agent_type,metadata,total_cost,user_prompt,tenant_id"
    rows = csv_rows(text(export(cli, "csv", "--columns", wanted)))
    assert rows[0] == wanted.split(",")
    by_id = {int(r[0]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert set(by_id) == ALL | {11, 12, 13}
    tricky = by_id[11]
    assert tricky["created_at"] == "2026-11-25T02:40:00.000Z"
    assert tricky["agent_type"] == 'csv, "quoted" agent'
    assert tricky["user_prompt"] == 'He said "hi",\nthen left.\r\nBye'
    assert json.loads(tricky["metadata"]) == TRICKY[0]["metadata"]
    assert " " not in tricky["metadata"].replace("✓", "")  # compact JSON text
    assert float(tricky["total_cost"]) == pytest.approx(0.3, rel=1e-14)
    assert by_id[7]["total_cost"] == "" and by_id[13]["user_prompt"] == ""


def test_csv_default_is_every_column_with_crlf_lines(cli, log):
    out = export(cli, "csv").stdout_bytes
    rows = csv_rows(out.decode())
    assert rows[0] == columns(db.connect(log))
    assert len(rows) == 14 and all(len(r) == len(rows[0]) for r in rows)
    assert out.startswith(b"id,agent_type,") and out.endswith(b"\r\n")


def test_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(cli, log):
    names = "id,agent_type,system_prompt,user_prompt,response,error_message,tenant_id,total_cost"
    safe = {int(r[0]): r for r in csv_rows(text(export(cli, "csv", "--columns", names)))[1:]}
    assert safe[11][4] == "'=HYPERLINK(\"http://x\")"
    assert safe[11][6] == "'@acme"
    assert safe[12][2:6] == ["'\tindented", "'+1", "'\rcarriage", "'-2+3"]
    assert safe[12][6] == "plain" and safe[11][1] == 'csv, "quoted" agent'
    raw = {int(r[0]): r
           for r in csv_rows(text(export(cli, "csv", "--raw", "--columns", names)))[1:]}
    assert raw[12][2:7] == ["\tindented", "+1", "\rcarriage", "-2+3", "plain"]
    assert raw[11][4] == '=HYPERLINK("http://x")'


def test_json_exports_are_never_neutralised(cli, log):
    row = json.loads(export(cli, "jsonl", "--agent", "formulas").stdout)
    assert row["user_prompt"] == "+1" and row["error_message"] == "-2+3"


@pytest.mark.parametrize("fmt, expected", [("json", "[]\n"), ("jsonl", ""),
                                           ("csv", "id,agent_type\r\n")])
def test_an_export_matching_nothing_is_still_valid(cli, log, fmt, expected):
    out = text(export(cli, fmt, "--tenant", "nobody", "--columns", "id,agent_type"))
    assert out == expected
    if fmt == "json":
        assert json.loads(out) == []


@pytest.mark.parametrize("args, expected", [
    (["--failed"], {3, 4, 8, 12}),
    (["--yesterday", "--successful"], {2}),
    (["--search", "rate limit"], {3}),
    (["--meta", "team=docs"], {1, 3, 11}),
])
def test_filters_select_the_rows_list_shows(cli, log, args, expected):
    exported = {json.loads(line)["id"] for line in export(cli, "jsonl", *args).stdout.splitlines()}
    listed = {r["id"] for r in json.loads(cli("list", "--all", "--json", *args).stdout)}
    assert exported == listed == expected


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
@pytest.mark.parametrize("args", [[], ["--search", "quarterly OR limit"], ["--limit", "5"]])
def test_rows_exported_in_blocks_come_out_whole_and_in_order(cli, log, monkeypatch, fmt, args):
    from agentlog.store.sqlite import export as writers

    whole = export(cli, fmt, *args).stdout_bytes
    monkeypatch.setattr(writers, "CHUNK", 2)
    assert export(cli, fmt, *args).stdout_bytes == whole


def test_limit_keeps_the_newest_executions(cli, log):
    out = text(export(cli, "csv", "--limit", "2", "--columns", "id"))
    assert csv_rows(out) == [["id"], ["13"], ["12"]]


def test_an_unknown_column_is_an_error_listing_the_valid_ones(cli, log, tmp_path):
    result = cli("export", "csv", "--columns", "id,price", "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 2
    assert "unknown column 'price' (did you mean 'provider'?); choose from: id, time" in \
        result.stderr
    assert os.listdir(tmp_path) == ["seeded.db"]


def test_a_file_export_is_complete_and_reported_on_stderr(cli, log, tmp_path):
    target = tmp_path / "runs.jsonl"
    result = export(cli, "jsonl", "-o", str(target))
    assert result.stdout == ""
    assert result.stderr.strip() == f"exported 13 executions to {target}"
    assert [json.loads(line) for line in target.read_text().splitlines()] == stored(log)
    assert sorted(os.listdir(tmp_path)) == ["runs.jsonl", "seeded.db"]  # no temp file left


@pytest.mark.parametrize("where", ["missing-dir/out.csv", "."])
def test_an_unwritable_path_is_an_error_and_leaves_no_file(cli, log, tmp_path, where):
    before = table_dump(log)
    result = cli("export", "csv", "-o", str(tmp_path / where))
    assert result.exit_code == 1
    assert result.stderr.startswith("agentlog: error: cannot write")
    assert os.listdir(tmp_path) == ["seeded.db"]
    assert table_dump(log) == before


def test_a_write_error_midway_keeps_the_previous_file_and_leaves_no_temp_file(
        cli, log, tmp_path, monkeypatch):
    from agentlog.store.sqlite import export as writers

    target = tmp_path / "runs.csv"
    target.write_text("the previous export\n")
    before = table_dump(log)
    finish = writers._csv_finish
    calls = []

    def failing(raw):
        def block(data):
            calls.append(data)
            if len(calls) == 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return finish(raw)(data)
        return block

    monkeypatch.setattr(writers, "CHUNK", 2)
    monkeypatch.setattr(writers, "_csv_finish", failing)
    result = cli("export", "csv", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"agentlog: error: cannot write {target}: No space left on device\n"
    assert target.read_text() == "the previous export\n"
    assert sorted(os.listdir(tmp_path)) == ["runs.csv", "seeded.db"]
    assert table_dump(log) == before


def test_export_never_changes_the_database(cli, log, tmp_path):
    before = table_dump(log)
    for fmt in ("csv", "json", "jsonl"):
        export(cli, fmt, "-o", str(tmp_path / f"out.{fmt}"))
    assert table_dump(log) == before


def test_a_progress_bar_follows_a_file_export_and_never_stdout(cli, log, tmp_path, monkeypatch):
    from contextlib import contextmanager

    from agentlog.cli import progress

    seen = []

    @contextmanager
    def bar(total, label, unit="rows"):
        seen.append(["total", total()])
        yield lambda n: seen.append(n)

    monkeypatch.setattr(progress, "bar", bar)
    export(cli, "csv", "--limit", "5", "-o", str(tmp_path / "out.csv"))
    assert seen[0] == ["total", 5] and sum(seen[1:]) == 5
    seen.clear()
    export(cli, "csv")
    assert seen == []


def test_a_reader_that_stops_early_ends_the_export_quietly(log):
    seed(log, [dict(created_at="2026-11-01T00:00:00.000Z", agent_type="bulk", status="success",
                    response="word " * 400)] * 400)
    env = {**os.environ, "AGENTLOG_DB": str(log)}
    proc = subprocess.Popen([sys.executable, "-m", "agentlog", "export", "jsonl"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    assert json.loads(first)["id"] == 413
    assert proc.stderr.read() == b""
