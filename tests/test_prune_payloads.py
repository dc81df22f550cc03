"""Two-tier retention and erasure: `prune --payloads` drops the text of old executions and
keeps every number; `prune --any-age` with filters erases one user's executions (or their
text) so that no file of the log holds it afterwards."""

from __future__ import annotations

import json
import sqlite3

import pytest

from agentlog.store.sqlite import db

OLD, NEW = "2026-01-05T10:00:00.000Z", "2099-01-01T00:00:00.000Z"
COLUMNS = ("agent_type, status, created_at, system_prompt, user_prompt, response, "
           "error_message, parameters, metadata, tool_calls, attempts, input_tokens, "
           "output_tokens, total_tokens, total_cost, duration_ms, attempts_count")


def row(created_at: str, word: str, user: str = "1") -> tuple:
    tool = [{"id": "t1", "name": "lookup", "arguments": {"q": f"{word}arg"},
             "result": f"{word}result", "error": None, "duration_ms": 12}]
    attempts = [{"model": "m", "attempt": 1, "status": "error", "error_class": "RateLimit",
                 "error_message": f"{word}attempt", "input_tokens": 3, "cost": 0.25},
                {"model": "m", "attempt": 2, "status": "success", "input_tokens": 7}]
    return ("a", "success", created_at, f"{word}system", f"{word}prompt", f"{word}answer",
            f"{word}error", json.dumps({"text": f"{word}param"}), json.dumps({"user_id": user}),
            json.dumps(tool), json.dumps(attempts), 10, 20, 30, 0.5, 900, 2)


@pytest.fixture
def log_with_text(db_path):
    db.connect(db_path).close()
    conn = sqlite3.connect(db_path, isolation_level=None)
    marks = ", ".join("?" * len(COLUMNS.split(", ")))
    for values in (row(OLD, "alpha", "123"), row(OLD, "bravo"), row(NEW, "charlie", "123"),
                   row(NEW, "delta")):
        conn.execute(f"INSERT INTO executions ({COLUMNS}) VALUES ({marks})", values)
    conn.execute("INSERT INTO response_cache (key, agent, response, execution_id, created_at, "
                 "expires_at) VALUES ('k1', 'a', 'alphaanswer', 1, ?, '9999')", (OLD,))
    conn.close()
    return db_path


def read(path, where: str = "1=1") -> list[dict]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"SELECT * FROM executions WHERE {where} "
                                              "ORDER BY id")]
    finally:
        conn.close()


def numbers(r: dict) -> tuple:
    return tuple(r[k] for k in ("status", "created_at", "input_tokens", "output_tokens",
                                "total_tokens", "total_cost", "duration_ms", "attempts_count"))


def ok(result):
    assert result.exit_code == 0, result.output
    return result.stdout


def test_payloads_drop_the_text_of_old_executions_and_keep_every_number(cli, log_with_text):
    before = read(log_with_text)
    out = ok(cli("prune", "--payloads", "--older-than", "30d", "--yes"))
    assert "Purged the text of 2 executions" in out
    after = read(log_with_text)
    assert [numbers(r) for r in after] == [numbers(r) for r in before]
    for r in after[:2]:
        assert r["payloads_purged_at"] is not None
        assert [r[k] for k in ("system_prompt", "user_prompt", "response", "error_message",
                               "parameters")] == [None] * 5
        assert json.loads(r["tool_calls"]) == [{"id": "t1", "name": "lookup", "duration_ms": 12}]
        attempts = json.loads(r["attempts"])
        assert [a.get("error_message") for a in attempts] == [None, None]
        assert [(a["status"], a["input_tokens"]) for a in attempts] == [("error", 3),
                                                                        ("success", 7)]
    assert after[2:] == before[2:]  # the new ones are untouched
    assert ok(cli("list", "--search", "alphaprompt", "--json")).strip() == "[]"
    assert json.loads(ok(cli("list", "--search", "charlieprompt", "--json")))[0]["id"] == 3
    conn = sqlite3.connect(log_with_text)
    assert conn.execute("SELECT count(*) FROM response_cache").fetchone()[0] == 0
    conn.close()


def test_show_says_the_text_was_purged(cli, log_with_text):
    ok(cli("prune", "--payloads", "--older-than", "30d", "--yes"))
    out = ok(cli("show", "1"))
    assert "Text purged" in out and "the numbers stay" in out
    assert "Text purged" not in ok(cli("show", "3"))


def test_purging_again_finds_nothing_left_to_purge(cli, log_with_text):
    ok(cli("prune", "--payloads", "--older-than", "30d", "--yes"))
    assert "Nothing to prune" in ok(cli("prune", "--payloads", "--older-than", "30d", "--yes"))


def test_reports_over_purged_executions_stay_exact(cli, log_with_text):
    report = ["report", "cost-by-agent", "--json"]
    before = json.loads(ok(cli(*report)))
    ok(cli("prune", "--payloads", "--older-than", "30d", "--yes"))
    assert json.loads(ok(cli(*report))) == before


def test_retention_tiers_give_the_default_age_of_each_prune(cli, log_with_text, write_agents):
    config = write_agents("settings:\n  retention: {payloads: 30d, rows: 3650d}\n")
    assert "Purged the text of 2" in ok(cli("prune", "--payloads", "--yes", "-c", str(config)))
    assert "Nothing to prune" in ok(cli("prune", "--yes", "-c", str(config)))
    plain = write_agents("settings:\n  retention: 30d\n", name="plain.yaml")
    assert "Deleted 2 executions" in ok(cli("prune", "--yes", "-c", str(plain)))
    result = cli("prune", "--payloads", "--yes", "-c", str(plain))
    assert result.exit_code == 2 and "prune --payloads needs an age" in result.stderr


@pytest.mark.parametrize("retention, message", [
    ("{payload: 30d}", "unknown key 'payload'"),
    ("{rows: 12}", "rows: expected a duration"),
    ("[30d]", "expected a duration such as 30d"),
])
def test_a_wrong_retention_is_one_line_naming_the_key(cli, log_with_text, write_agents,
                                                     retention, message):
    config = write_agents(f"settings:\n  retention: {retention}\n")
    result = cli("prune", "--yes", "-c", str(config))
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "retention" in line and message in line


def files_of(path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.parent.iterdir()
            if p.name.startswith(path.name)}


def assert_nowhere(path, words: tuple[str, ...]) -> None:
    files = files_of(path)
    assert path.name in files
    for name, data in files.items():
        for word in words:
            for needle in (word, word[3:]):  # the index stores its terms prefix-compressed
                assert needle.encode() not in data, (needle, name)


WORDS = ("alphasystem", "alphaprompt", "alphaanswer", "alphaerror", "alphaparam", "alphaarg",
         "alpharesult", "alphaattempt", "charlieprompt", "charlieanswer")


def test_erasure_by_filter_leaves_the_text_in_no_file_of_the_log(cli, log_with_text):
    files = files_of(log_with_text)
    assert any(b"alphaprompt" in data for data in files.values())
    out = ok(cli("prune", "--any-age", "--meta", "user_id=123", "--yes"))
    assert "Deleted 2 executions" in out
    assert [r["id"] for r in read(log_with_text)] == [2, 4]
    assert_nowhere(log_with_text, WORDS)
    assert b"bravoprompt" in b"".join(files_of(log_with_text).values())  # the rest stays


def test_erasure_leaves_the_text_in_neither_the_wal_nor_the_shm_of_a_log_held_open(
        cli, log_with_text):
    """Another program holding the log open keeps its -wal and -shm files in place: the
    erased text is in none of the three afterwards."""
    holder = sqlite3.connect(log_with_text)
    try:
        assert holder.execute("SELECT count(*) FROM executions").fetchone()[0] == 4
        ok(cli("prune", "--any-age", "--meta", "user_id=123", "--yes"))
        assert {"log.db", "log.db-wal", "log.db-shm"} <= set(files_of(log_with_text))
        assert_nowhere(log_with_text, WORDS)
    finally:
        holder.close()


def test_erasing_only_the_text_keeps_the_rows_and_leaves_the_text_nowhere(cli, log_with_text):
    out = ok(cli("prune", "--any-age", "--payloads", "--meta", "user_id=123", "--yes"))
    assert "Purged the text of 2 executions" in out
    assert [r["id"] for r in read(log_with_text, "payloads_purged_at IS NOT NULL")] == [1, 3]
    assert_nowhere(log_with_text, WORDS)


@pytest.mark.parametrize("args, message", [
    (["--any-age"], "--any-age needs a filter"),
    (["--any-age", "--older-than", "3d", "--agent", "a"], "contradict each other"),
    (["--any-age", "--agent", "a", "--no-vacuum"], "drop --no-vacuum"),
])
def test_erasure_refuses_what_would_go_too_far_or_not_far_enough(cli, log_with_text, args,
                                                                 message):
    result = cli("prune", *args, "--yes")
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(read(log_with_text)) == 4
