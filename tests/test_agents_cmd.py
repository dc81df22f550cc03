"""`agentlog agents` and `agentlog agents validate`."""

from __future__ import annotations

import json

from conftest import REPO


def test_agents_lists_name_model_fallbacks_params_description(cli):
    result = cli("agents", "-c", str(REPO / "agentlog" / "agents.yaml.example"), "--json")
    assert result.exit_code == 0, result.stderr
    agents = {a["name"]: a for a in json.loads(result.stdout)}
    assert agents["summarize"]["fallbacks"] == ["claude-haiku-4-5"]
    assert agents["summarize"]["params"]["text"] == {"required": True, "default": None}
    assert agents["summarize"]["params"]["style"] == {"required": False, "default": "neutral"}
    table = cli("agents", "-c", str(REPO / "agentlog" / "agents.yaml.example")).stdout
    assert "summarize" in table and "Greet someone" in table


def test_validate_accepts_the_example(cli):
    result = cli("agents", "validate", "-c", str(REPO / "agentlog" / "agents.yaml.example"))
    assert result.exit_code == 0
    assert result.stdout.strip().endswith(": ok")
    assert result.stderr == ""  # every model of the example is in litellm's price map


def test_validate_warns_once_per_model_that_nothing_prices(cli, write_agents):
    write_agents("""
        agents:
          a:
            model: gpt-4o-mini
            fallback_models: [claude-3-5-haiku-20241022, anthropic/claude-haiku-4-5,
                              {model: openai/team-default, api_base: "http://127.0.0.1:9/v1"},
                              openai/no-endpoint]
            prompt: hi
          priced: {model: my-own-model, pricing: {input_per_million: 1, output_per_million: 2},
                   prompt: hi}
    """)
    result = cli("agents", "validate")
    assert result.exit_code == 0, result.stderr
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("warning: agents.yaml: agent 'a': model "
                                  "'claude-3-5-haiku-20241022' is not in litellm's price map")
    assert "model 'openai/no-endpoint'" in warnings[1]
    assert result.stdout.strip().endswith(": ok")


def test_validate_reports_every_problem_with_file_agent_and_key(cli, write_agents):
    write_agents("""
        settings: {timezone: Mars/Olympus, retention: 5x}
        agents:
          a: {model: gpt-4o-mini, prompt: "{{ who }}", temprature: 1}
          b: {prompt: hi, cache: forever}
    """)
    result = cli("agents", "validate")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert "agents.yaml: settings: key 'timezone': unknown timezone 'Mars/Olympus'" in lines
    assert any(line.startswith("agents.yaml: settings: key 'retention': invalid duration '5x'")
               for line in lines)
    assert ("agents.yaml: agent 'a': key 'temprature': unknown key "
            "(did you mean 'temperature'?)") in lines
    assert "agents.yaml: agent 'b': key 'model': Field required" in lines
    assert any(line.startswith("agents.yaml: agent 'b': key 'cache': invalid duration")
               for line in lines)
    assert lines[-1] == "5 problem(s) in agents.yaml"


def test_validate_reports_template_problems(cli, write_agents):
    write_agents("""
        agents:
          a: {model: gpt-4o-mini, prompt: "{{ who }}"}
          b: {model: gpt-4o-mini, prompt: "{% if %}"}
    """)
    lines = cli("agents", "validate").stderr.strip().splitlines()
    assert "agents.yaml: agent 'a': key 'prompt': uses '{{ who }}' which is not declared " \
           "in params" in lines
    assert any(line.startswith("agents.yaml: agent 'b': key 'prompt': template error at line 1")
               for line in lines)


def test_a_key_given_twice_is_an_error_naming_both_lines(cli, write_agents):
    """YAML itself keeps the last of two equal keys: two agents of one name, or one key twice
    inside an agent, would run something other than what the file seems to say."""
    write_agents("""
        agents:
          a: {model: gpt-4o-mini, prompt: hi}   # line 3: the text starts with a newline
          b:
            model: gpt-4o-mini
            prompt: one
            prompt: two
          a: {model: gpt-4o, prompt: hi}
    """)
    for args in (["agents", "validate"], ["run", "a"], ["agents"]):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert result.stderr.strip().splitlines() == [
            "agentlog: error: agents.yaml: duplicate key 'a' at lines 3 and 8; duplicate key "
            "'prompt' at lines 6 and 7 (YAML would keep only the last)"]


def test_keys_merged_from_an_alias_may_be_overridden(cli, write_agents):
    write_agents("""
        agents:
          a: &base {model: gpt-4o-mini, prompt: hi, mock_response: first}
          b:
            <<: *base
            mock_response: second
    """)
    assert cli("agents", "validate").exit_code == 0
    assert cli("run", "b").stdout.strip() == "second"
