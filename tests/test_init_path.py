"""`agentlog init` writes a first agents file from the package's example; `agentlog path`
prints where the log is."""

from __future__ import annotations

import json

from outcomes import one_line_error


def test_init_writes_an_agents_file_that_runs_hello_offline(cli, tmp_path, db_path):
    result = cli("init")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "agents.yaml").is_file()
    ran = cli("run", "hello", "--json")
    assert ran.exit_code == 0, ran.stderr
    assert json.loads(ran.stdout)["status"] == "success"
    assert cli("agents", "validate").exit_code == 0


def test_the_written_flaky_agent_shows_a_rate_limit_and_its_fallback_offline(cli, tmp_path,
                                                                             db_path):
    """The README's offline failure demo: a mock error on the primary, a mock answer on the
    fallback mapping."""
    assert cli("init").exit_code == 0
    ran = cli("run", "flaky", "--json")
    assert ran.exit_code == 0, ran.stderr
    record = json.loads(ran.stdout)
    assert (record["status"], record["chosen_model_id"], record["fallback_reason"]) == \
        ("success", "claude-haiku-4-5", "rate_limit")
    assert [a["status"] for a in record["attempts"]] == ["error", "error", "success"]
    assert record["response"] == "Answered by the fallback model."


def test_init_keeps_an_existing_file_unless_forced(cli, tmp_path):
    mine = tmp_path / "agents.yaml"
    mine.write_text("agents: {mine: {model: m, prompt: p}}\n")
    result = cli("init")
    one_line_error(result, code=2)
    assert "exists already" in result.stderr and "--force" in result.stderr
    assert mine.read_text() == "agents: {mine: {model: m, prompt: p}}\n"
    assert cli("init", "--force").exit_code == 0
    assert "hello:" in mine.read_text()


def test_init_follows_config_and_the_example_ships_in_the_package(cli, tmp_path, monkeypatch):
    from importlib import resources

    monkeypatch.setenv("AGENTLOG_CONFIG", str(tmp_path / "team.yaml"))
    assert cli("init").exit_code == 0
    shipped = resources.files("agentlog").joinpath("agents.yaml.example").read_text()
    assert (tmp_path / "team.yaml").read_text() == shipped
    assert not (tmp_path / "agents.yaml").exists()


def test_a_missing_agents_file_points_to_init(cli, tmp_path):
    result = cli("run", "hello")
    one_line_error(result, code=2)
    assert "agentlog init" in result.stderr


def test_path_prints_where_the_log_is_and_creates_nothing(cli, tmp_path, write_agents):
    assert cli("path", "--db", "sub/my.db").stdout.strip() == str(tmp_path / "sub" / "my.db")
    write_agents("settings: {db: ~/logs/team.db}\nagents: {}\n")
    assert cli("path").stdout.strip().endswith("/logs/team.db")
    assert not (tmp_path / "sub").exists() and not (tmp_path / "xdg").exists()


def test_path_defaults_to_the_user_data_dir(cli, tmp_path):
    result = cli("path")
    assert result.stdout.strip() == str(tmp_path / "xdg" / "agentlog" / "agentlog.db")
    assert not (tmp_path / "xdg").exists()


def test_path_shows_a_postgres_url_without_its_password(cli):
    result = cli("path", "--db", "postgresql://ann:s3cret@db.example:5432/agentlog")
    assert result.exit_code == 0
    assert result.stdout.strip() == "postgresql://ann:***@db.example:5432/agentlog"
    assert "s3cret" not in result.output
