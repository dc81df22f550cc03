"""Secrets appear nowhere in the database: not an `api_key` or `api_base` read from the
environment, not the value of a redacted parameter, whether the run succeeds, fails, retries
or streams, and even when the model or the provider's error message echoes them. The scan
covers every table (full-text index shadow tables included), the raw bytes of the database,
its -wal and -shm files, and the index's vocabulary. The files are owner-only."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest

from agentlog.store.sqlite import db

PASSWORD = "qj7paramsecretw4"  # the value of a redacted parameter
API_KEY = "vb2apikeysecretz8"  # api_key: ${ZQ_KEY}
BASE_TOKEN = "xk9basetokensecret"  # part of api_base: ${ZQ_BASE_TOKEN}
SECRETS = (PASSWORD, API_KEY, BASE_TOKEN)


def agent(base: str, extra: str = "") -> str:
    return (f"{{model: openai/gpt-4o-mini, api_base: '{base}', api_key: '${{ZQ_KEY}}', "
            "params: {password: {}, text: {}}, system: 'Never repeat {{ password }}', "
            f"prompt: '{{{{ text }}}} {{{{ password }}}}', timeout: 5{extra}}}")


@pytest.fixture
def scenario(write_agents, db_path, fake_server, monkeypatch):
    monkeypatch.setenv("ZQ_KEY", API_KEY)
    monkeypatch.setenv("ZQ_BASE", fake_server.base("ok"))
    monkeypatch.setenv("ZQ_BASE_TOKEN", BASE_TOKEN)
    fake_server.set_reply(content=json.dumps({"n": f"echo {PASSWORD} {API_KEY}"}))
    no_wait = ", retries: {max: 2, base: 0, max_delay: 0}"
    write_agents(f"""
        agents:
          ok: {agent("${ZQ_BASE}", ", cache: 1h")}
          flaky: {agent(fake_server.base("flaky-1"), no_wait)}
          streamed: {agent(fake_server.base("ok"), ", stream: true")}
          refused: {agent(fake_server.url + "/${ZQ_BASE_TOKEN}/v1")}
          rejected: {agent(fake_server.base("ok"), ", schema: {type: object, "
                           "properties: {n: {type: integer}}}, retries: {max: 0}")}
    """)
    return db_path


def run_everything(cli) -> list[tuple[int, str]]:
    """Each agent once (`ok` twice: the second answer comes from the cache)."""
    args = ["-p", f"password={PASSWORD}", "-p", f"text=my password is {PASSWORD}",
            "--meta", f"note=told {PASSWORD}"]
    return [(result.exit_code, result.stdout) for result in (
        cli("run", name, *args)
        for name in ("ok", "ok", "flaky", "streamed", "refused", "rejected"))]


def table_texts(conn: sqlite3.Connection) -> dict[str, str]:
    """The repr of every row of every table, shadow tables of the full-text index included."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert {"executions", "executions_fts_data", "executions_fts_idx", "response_cache"} <= \
        set(names)
    return {name: repr(conn.execute(f"SELECT * FROM [{name}]").fetchall()) for name in names}


def fts_terms(conn: sqlite3.Connection) -> list[str]:
    conn.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, executions_fts, row)")
    return [r[0] for r in conn.execute("SELECT term FROM temp.terms")]


def test_no_secret_reaches_any_table_the_wal_or_the_index(cli, scenario, read_rows):
    db.connect(scenario).close()  # created by agentlog, not by the holder below
    holder = sqlite3.connect(scenario)  # keeps the -wal and -shm files while the runs log
    try:
        holder.execute("SELECT count(*) FROM sqlite_master").fetchone()
        outcomes = run_everything(cli)
        assert [code for code, _ in outcomes] == [0, 0, 0, 0, 1, 1]
        assert PASSWORD in outcomes[0][1]  # the model did echo the secrets to the user

        files = {suffix: scenario.with_name(scenario.name + suffix) for suffix in
                 ("", "-wal", "-shm")}
        for path in files.values():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert files["-wal"].stat().st_size > 0
        for suffix, path in files.items():
            data = path.read_bytes()
            for secret in SECRETS:  # the tail too: the index stores terms prefix-compressed
                for needle in (secret, secret[3:]):
                    assert needle.encode() not in data, (needle, suffix)
        for table, text in table_texts(holder).items():
            for secret in SECRETS:
                assert secret not in text, (secret, table)
        assert not [t for t in fts_terms(holder) if any(s[3:] in t for s in SECRETS)]
    finally:
        holder.close()

    rows = read_rows(scenario)
    assert [(r["agent_type"], r["status"], r["attempts_count"]) for r in rows] == [
        ("ok", "success", 1), ("ok", "success", 0), ("flaky", "success", 2),
        ("streamed", "success", 1), ("refused", "error", 1), ("rejected", "error", 1)]
    first = rows[0]
    assert json.loads(first["parameters"]) == {"password": "[REDACTED]",
                                               "text": "my password is [REDACTED]"}
    assert json.loads(first["metadata"]) == {"note": "told [REDACTED]"}
    assert first["system_prompt"] == "Never repeat [REDACTED]"
    assert first["response"] == '{"n": "echo [REDACTED] [REDACTED]"}'
    assert "Unknown fake behaviour '[REDACTED]'" in rows[4]["error_message"]
    assert "is not of type 'integer'" in rows[5]["error_message"]


def test_a_secret_is_scrubbed_also_where_it_reads_as_json():
    from agentlog.redact import Redactor

    redactor = Redactor()
    secret = 'pä"ss\\word'
    assert redactor.params({"password": secret, "note": f"is {secret}"}) == {
        "password": "[REDACTED]", "note": "is [REDACTED]"}
    echoed = json.dumps({"messages": [{"content": f"use {secret}"}]})
    assert redactor.text(echoed) == '{"messages": [{"content": "use [REDACTED]"}]}'
    assert redactor.text(json.dumps(secret, ensure_ascii=False)) == '"[REDACTED]"'


def test_a_secret_that_straddles_the_cut_of_an_error_message_is_not_stored_in_part(
        cli, write_agents, db_path, read_rows, fake_server, monkeypatch):
    # The fake server's 404 quotes the unknown path segment: "Unknown fake behaviour 'pp…<token>"
    # puts the token across character 500, where stored messages are cut.
    monkeypatch.setenv("ZQ_BASE_TOKEN", BASE_TOKEN)
    padding = "p" * (495 - len("Unknown fake behaviour '"))
    base = f"{fake_server.url}/{padding}${{ZQ_BASE_TOKEN}}/v1"
    write_agents(f"""
        agents:
          a: {{model: openai/gpt-4o-mini, api_base: '{base}', api_key: x, prompt: hi,
              retries: {{max: 0}}}}
    """)
    assert cli("run", "a").exit_code == 1
    [row] = read_rows(db_path)
    [attempt] = json.loads(row["attempts"])
    for message in (row["error_message"], attempt["error_message"]):
        assert message.startswith("Unknown fake behaviour 'ppp") and len(message) <= 500
        assert BASE_TOKEN[:4] not in message, message[-30:]


def test_a_secret_read_from_a_file_is_scrubbed_without_its_trailing_newline(
        cli, write_agents, db_path, read_rows, fake_server, tmp_path, monkeypatch):
    monkeypatch.setenv("ZQ_KEY", API_KEY)
    (tmp_path / "pw.txt").write_text(PASSWORD + "\n")
    fake_server.set_reply(content=f"your password is {PASSWORD}.")
    write_agents(f"""
        agents:
          a: {agent(fake_server.base("ok"))}
    """)
    result = cli("run", "a", "-p", "password=@pw.txt", "-p", "text=hi")
    assert result.exit_code == 0
    [row] = read_rows(db_path)
    assert row["response"] == "your password is [REDACTED]."


def test_the_batch_output_file_holds_the_redacted_answer_as_the_log_does(
        cli, write_agents, db_path, read_rows, fake_server, tmp_path, monkeypatch):
    monkeypatch.setenv("ZQ_KEY", API_KEY)
    fake_server.set_reply(content=f"your password is {PASSWORD}")
    write_agents(f"""
        agents:
          a: {agent(fake_server.base("ok"))}
    """)
    (tmp_path / "rows.jsonl").write_text(json.dumps({"password": PASSWORD, "text": "hi"}) + "\n")
    assert cli("run", "a", "--input", "rows.jsonl", "-o", "out.jsonl").exit_code == 0
    [written] = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    [row] = read_rows(db_path)
    assert written["response"] == row["response"] == "your password is [REDACTED]"
