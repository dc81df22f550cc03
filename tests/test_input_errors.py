"""Bad input: one clear line on stderr, a non-zero exit, no traceback, the database unchanged."""

from __future__ import annotations

import os
import sqlite3

import pytest

GOOD = """
    agents:
      a:
        model: gpt-4o-mini
        params:
          text: {required: true}
        prompt: "{{ text }}"
        mock_response: ok
"""


@pytest.fixture
def seeded(cli, write_agents, db_path, read_rows):
    """A database holding one execution, to prove failures leave it as it was."""
    write_agents(GOOD)
    assert cli("run", "a", "-p", "text=x").exit_code == 0
    before = dump(db_path)
    yield
    assert len(read_rows(db_path)) == 1
    assert dump(db_path) == before


def dump(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def one_line_error(result, expected: str, code: int = 2) -> None:
    assert result.exit_code == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("agentlog: error: ")
    assert expected in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def test_missing_required_parameter(cli, seeded):
    one_line_error(cli("run", "a"), "agent 'a': missing required parameter 'text'")


def test_unknown_parameter(cli, seeded):
    one_line_error(cli("run", "a", "-p", "text=x", "-p", "colour=red"),
                   "agent 'a': unknown parameter 'colour' (declared: text)")


def test_malformed_parameter_pair(cli, seeded):
    one_line_error(cli("run", "a", "-p", "text"), "-p expects key=value, got 'text'")


def test_missing_parameter_file(cli, seeded):
    one_line_error(cli("run", "a", "-p", "text=@nope.txt"), "parameter file not found: nope.txt")


def test_params_json_not_json(cli, seeded):
    one_line_error(cli("run", "a", "--params-json", "{text"), "--params-json is not valid JSON")


def test_unknown_agent(cli, seeded):
    one_line_error(cli("run", "nope"), "unknown agent 'nope' (known: a)")


def test_template_error_at_render_time(cli, write_agents, seeded):
    write_agents(GOOD.replace('"{{ text }}"', '"{{ text.missing.deeper }}"'))
    one_line_error(cli("run", "a", "-p", "text=x"), "agent 'a': key 'prompt': template error")


def test_template_syntax_error(cli, write_agents, seeded):
    write_agents(GOOD.replace('"{{ text }}"', '"{{ text "'))
    one_line_error(cli("run", "a", "-p", "text=x"), "agent 'a': key 'prompt': template error")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("template,bound", [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "its loops take more than 1,000,000 items"),
    ("{% for i in range(100000) %}{{ text * 1000 }}{% endfor %}",
     "its text is longer than 10,000,000 characters"),
    ("{{ text * 1000000000 }}", "it builds a value longer than 10,000,000"),
    ("{{ text.ljust(1000000000) }}", "it passes a count above 10,000,000"),
    ("{{ lipsum(1000000000) }}", "it passes a count above 10,000,000"),
    ("{{ 2 ** 1000000000 }}", "it raises to a power above 10,000"),
])
def test_a_template_that_would_run_for_minutes_stops_with_the_bound_it_hit(
        cli, write_agents, seeded, template, bound):
    write_agents(GOOD.replace('"{{ text }}"', f'"{template}"'))
    one_line_error(cli("run", "a", "-p", "text=x"),
                   f"agent 'a': key 'prompt': template stopped: {bound}")


def test_a_parameter_that_is_not_valid_unicode_is_refused(cli, seeded):
    one_line_error(cli("run", "a", "--params-json", '{"text": "ok \\ud800"}'),
                   "agent 'a': parameter 'text': not valid Unicode text "
                   "(lone surrogate '\\ud800' at position 3)")


def test_a_template_cannot_reach_python_internals(cli, write_agents, seeded):
    write_agents(GOOD.replace('"{{ text }}"', '"{{ text.__class__.__mro__ }}"'))
    one_line_error(cli("run", "a", "-p", "text=x"), "agent 'a': key 'prompt': template error: "
                   "access to attribute '__class__' of 'str' object is unsafe")


def test_loops_within_the_bounds_render_as_before(cli, write_agents, db_path, read_rows):
    write_agents(GOOD.replace('"{{ text }}"',
                              '"{% for w in text.split() %}{{ loop.index }}={{ w }} {% endfor %}"'))
    assert cli("run", "a", "-p", "text=red green").exit_code == 0
    assert read_rows(db_path)[-1]["user_prompt"] == "1=red 2=green "


@pytest.mark.timeout(30)
def test_an_agents_file_that_is_a_fifo_or_a_device_is_refused_without_waiting(
        cli, tmp_path, seeded):
    fifo = tmp_path / "agents.fifo"
    os.mkfifo(fifo)  # no writer: reading it would block forever
    for path, command in ((fifo, "agents"), (fifo, "run"), ("/dev/zero", "run")):
        args = [command, "-c", str(path)] + (["a"] if command == "run" else [])
        one_line_error(cli(*args), f"agents file is not a regular file: {path}")


def test_malformed_yaml(cli, write_agents, seeded):
    write_agents("agents:\n  a: [unclosed\n")
    one_line_error(cli("run", "a"), "agents.yaml:3:1: malformed YAML")


def test_unknown_key_names_file_agent_and_key(cli, write_agents, seeded):
    write_agents(GOOD.replace("model: gpt-4o-mini", "model: gpt-4o-mini\n        temprature: 1"))
    one_line_error(cli("run", "a", "-p", "text=x"),
                   "agents.yaml: agent 'a': key 'temprature': unknown key")


def test_wrong_type(cli, write_agents, seeded):
    write_agents(GOOD.replace("model: gpt-4o-mini", "model: gpt-4o-mini\n        timeout: soon"))
    one_line_error(cli("run", "a", "-p", "text=x"), "agent 'a': key 'timeout'")


def test_missing_agents_file(cli, seeded):
    one_line_error(cli("run", "a", "-c", "missing.yaml"), "agents file not found: missing.yaml")


def test_not_utf8_agents_file(cli, tmp_path, seeded):
    (tmp_path / "bad.yaml").write_bytes(b"agents:\n  a: \xff\xfe\n")
    one_line_error(cli("run", "a", "-c", "bad.yaml"), "bad.yaml: not UTF-8 text")


def test_undeclared_template_variable(cli, write_agents, seeded):
    write_agents(GOOD.replace('"{{ text }}"', '"{{ text }} {{ tone }}"'))
    one_line_error(cli("run", "a", "-p", "text=x"),
                   "key 'prompt': uses '{{ tone }}' which is not declared in params")


def test_show_unknown_id(cli, seeded):
    one_line_error(cli("show", "999"), "no execution with id 999", code=1)


def test_show_bad_id(cli, seeded):
    one_line_error(cli("show", "abc"), "execution id must be a number or 'last'")


def test_not_a_database(cli, tmp_path, seeded):
    (tmp_path / "notes.db").write_text("just text, not sqlite " * 100)
    one_line_error(cli("list", "--db", str(tmp_path / "notes.db")), "is not an agentlog database",
                   code=1)


def test_debug_shows_the_traceback(cli, seeded):
    from agentlog.errors import ConfigError

    with pytest.raises(ConfigError):
        cli("--debug", "run", "nope")
    cli("run", "a", "-p", "text=x", "--db", "other.db")  # reset the debug flag for later tests
