"""Bad input never produces a traceback: one clear line on stderr (one per problem for
`agents validate`), a non-zero exit, and the database left as it was.

Property-based: hypothesis generates agents files (random YAML structures, wrong types,
unknown keys, huge values, non-UTF-8 bytes) and filter values for `list`.
"""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from outcomes import fingerprint, no_crash, one_line_error
from seeding import table_dump

from agentlog.config import Agent, Settings

PROPERTY = settings(max_examples=60, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink],  # no slow tracing
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])

AGENT_KEYS = sorted({f.alias or name for name, f in Agent.model_fields.items()} - {"name"})
SETTINGS_KEYS = sorted(Settings.model_fields)
VALID_AGENT = {"model": "gpt-4o-mini", "prompt": "{{ x }}", "params": {"x": {"default": "1"}},
               "mock_response": "ok"}
# Tools are imported by validation: only paths that are safe to import are generated.
TOOLS = ["sample_tools:get_weather", "sample_tools:nope", "nope.missing:fn", "no-colon", ":",
         "sample_tools:explode"]
ODD = ["", " ", "${AGENTLOG_TEST_NOT_SET}", "{{", "{{ x }}", "{{ y }}", "{% for %}", "{{ 1/0 }}",
       "1h", "-5", "0", "99999999999w", "gpt-4o-mini", "re:(", "re:^sk-", "\x00", "\u202e",
       "'; DROP TABLE executions; --", "Europe/Nowhere", "hard", "exponential", ".inf"]
HUGE = ["x" * 100_000, "{{ x }}" * 5_000, "é" * 50_000]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(),
    st.text(max_size=12), st.sampled_from(ODD), st.sampled_from(HUGE),
)
keys = st.one_of(st.sampled_from(AGENT_KEYS + SETTINGS_KEYS), st.text(max_size=8))
values = st.recursive(
    scalars, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(keys, kids, max_size=3),
    max_leaves=10)
agent_values = st.one_of(values, st.sampled_from(TOOLS).map(lambda t: [t]))
agents = st.dictionaries(st.sampled_from(AGENT_KEYS) | st.text(max_size=8), agent_values,
                         max_size=6)
documents = st.one_of(
    values,
    st.fixed_dictionaries({}, optional={
        "settings": st.dictionaries(st.sampled_from(SETTINGS_KEYS) | st.text(max_size=8),
                                    values, max_size=4) | values,
        "agents": st.dictionaries(st.just("a") | st.text(max_size=10),
                                  agents.map(lambda a: {**VALID_AGENT, **a}) | agents | values,
                                  max_size=3) | values,
    }),
)


def dumped(document) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True).encode()


@st.composite
def damaged(draw, document):
    """A YAML text with a few random bytes spliced in (often not UTF-8, often not YAML)."""
    text = dumped(document)
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.binary(min_size=1, max_size=8)) + text[at:]


agents_files = st.one_of(
    documents.map(dumped),
    documents.flatmap(damaged),
    st.binary(max_size=300),
    st.text(alphabet="agents:{}[]-&*!|>'\"#%@` \n\tx1", max_size=200).map(str.encode),
)


@pytest.fixture
def logged(cli, write_agents, db_path):
    """A database holding one execution."""
    write_agents("agents:\n  a: {model: gpt-4o-mini, prompt: hi, mock_response: ok}\n",
                 name="good.yaml")
    assert cli("run", "a", "-c", "good.yaml").exit_code == 0
    return db_path


@PROPERTY
@given(content=agents_files)
def test_any_agents_file_gets_a_verdict_and_run_refuses_a_bad_one(cli, tmp_path, logged,
                                                                  content):
    path = tmp_path / "agents.yaml"
    path.write_bytes(content)
    before = fingerprint(logged)
    checked = cli("agents", "validate", "-c", str(path))
    no_crash(checked)
    if checked.exit_code == 0:
        assert checked.stdout.strip() == f"{path}: ok"
        listed = cli("agents", "-c", str(path), "--json")
        no_crash(listed)
        assert listed.exit_code == 0
    else:
        assert checked.exit_code == 2
        lines = checked.stderr.strip().splitlines()
        if lines[0].startswith("agentlog: error: "):  # the file could not be read at all
            assert len(lines) == 1, checked.stderr
        else:  # one line per problem, then the count
            assert lines[-1] == f"{len(lines) - 1} problem(s) in {path}", checked.stderr
            assert all(line.startswith(f"{path}: ") for line in lines[:-1]), checked.stderr
        one_line_error(cli("run", "a", "-c", str(path)))
    assert fingerprint(logged) == before


EVERY_READER = (("agents", "validate"), ("run", "z"), ("list",))
# Eight lines of YAML whose aliases expand to 10**8 values.
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 10)}]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True))


@pytest.mark.parametrize("text, expected, commands", [
    ("agents: &a {x: *a}", "nested deeper than", EVERY_READER),
    ("agents: {a: {model: m, prompt: hi, metadata: &m {x: *m}}}", "nested deeper than",
     EVERY_READER),
    ("agents: {a: {model: m, prompt: hi, params: {x: {default: &d [*d]}}}}", "nested deeper",
     EVERY_READER),
    ("x: " + "[" * 300 + "]" * 300, "nested deeper than", EVERY_READER),
    # deep enough for the YAML parser's own recursion (it takes a second: one command only)
    ("x: " + "[" * 1000 + "]" * 1000, "nested deeper than", [("agents", "validate")]),
    (LAUGHS + "agents: {z: {model: m, prompt: hi, litellm_params: {p: *h}}}",
     "more than 1,000,000", EVERY_READER),
])
def test_self_referencing_or_exploding_yaml_is_refused(cli, write_agents, logged, text,
                                                       expected, commands):
    write_agents(text)
    for args in commands:
        result = cli(*args)
        one_line_error(result)
        assert expected in result.stderr


@pytest.mark.parametrize("key, value, expected", [
    ("total_timeout", ".inf", "finite number"),
    ("timeout", "1e300", "less than or equal to"),
    ("temperature", ".nan", "finite number"),
    ("cache", "999999999d", "too large"),
    ("circuit_breaker", "{cooldown: 1e300}", "less than or equal to"),
    ("retries", "{max_delay: .inf}", "finite number"),
    ("prompt", "'{{ 1/0 }}'", "template error: ZeroDivisionError"),
    ("prompt", "'{{ x + 1 }}'", "template error: TypeError"),
])
def test_numbers_no_clock_can_hold_and_failing_templates_are_input_errors(
        cli, write_agents, logged, key, value, expected):
    prompt = "" if key == "prompt" else "    prompt: hi\n"  # a key given twice is an error
    write_agents(f"agents:\n  a:\n    model: gpt-4o-mini\n{prompt}    mock_response: ok\n"
                 f"    params: {{x: {{default: '1'}}}}\n    {key}: {value}\n")
    before = table_dump(logged)
    result = cli("run", "a")
    one_line_error(result)
    assert expected in result.stderr
    assert table_dump(logged) == before


FILTERS = ["--since", "--until", "--status", "--agent", "--model", "--tenant", "--batch",
           "--expensive", "--slow", "--high-tokens", "--meta", "--search", "--sort",
           "--columns", "-n"]
SWITCHES = ["--today", "--yesterday", "--this-week", "--failed", "--successful", "--running",
            "--cached", "--cache-miss", "--with-tenant", "--without-tenant", "--current-tenant",
            "--json", "--all", "--reverse"]
HOSTILE = ["x' OR '1'='1", "'); DROP TABLE executions; --", "9999999d", "99999999999999999999",
           "-1", "1e999", "nan", "-0", "2026-02-30", "0001-01-01T00:00+05:00",
           "9999-12-31T23:59:59.999-14:00", "١٢h", "a.b=1", "=", ".", "x=", "%", "*", "$.x",
           "a[0]=1", "team=99999999999999999999999", "time", "-cost", "id,error,", "",
           "\udcff", "team=\udcff"]  # the last: a non-UTF-8 byte of argv, as Python passes it
filter_values = st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE))


@PROPERTY
@given(options=st.lists(st.tuples(st.sampled_from(FILTERS), filter_values), min_size=1,
                        max_size=4),
       switches=st.lists(st.sampled_from(SWITCHES), max_size=2, unique=True))
def test_any_filter_values_give_rows_or_one_line_never_a_crash(cli, seeded_log, options,
                                                               switches):
    before = table_dump(seeded_log)
    args = [part for option in options for part in option] + switches
    result = cli("list", *args)
    no_crash(result)
    if result.exit_code != 0:
        one_line_error(result)
    elif "--json" in switches:
        assert isinstance(json.loads(result.stdout), list)
    assert table_dump(seeded_log) == before


@PROPERTY
@given(text=st.text(max_size=200) | st.sampled_from(HOSTILE + ODD),
       meta=st.dictionaries(st.text(st.characters(blacklist_characters="="), max_size=12),
                            st.text(max_size=30) | st.sampled_from(HOSTILE), max_size=4),
       tenant=st.none() | st.text(max_size=20))
def test_any_parameter_metadata_or_tenant_is_logged_as_given_or_refused(cli, write_agents, logged,
                                                                         text, meta, tenant):
    write_agents("agents:\n  p: {model: gpt-4o-mini, prompt: 'say {{ text }}', params: "
                 "{text: {}}, mock_response: ok}\n")
    args = ["-p", f"text={text}",
            *(part for k, v in meta.items() for part in ("--meta", f"k{k}={v}"))]
    args += ["--tenant", tenant] if tenant is not None else []
    before = table_dump(logged)
    result = cli("run", "p", *args, "--json")
    no_crash(result)
    if result.exit_code != 0:
        one_line_error(result)
        assert table_dump(logged) == before
    else:
        record = json.loads(result.stdout)
        assert record["parameters"] == {"text": text} and record["status"] == "success"
        assert record["tenant_id"] == (tenant or None)
        assert set(record["metadata"]) == {f"k{k}".strip() for k in meta}


@pytest.mark.parametrize("args, expected", [
    (["list", "-n", "x"], "Invalid value for '--limit'"),
    (["list", "--no-such-flag"], "No such option: --no-such-flag"),
    (["run"], "Missing argument 'AGENT'"),
    (["show", "99999999999999999999999"], "no execution with id 99999999999999999999999"),
    (["show", "٣"], "execution id must be a number or 'last'"),
    (["list", "--agent", "\udcff"], "argument '\\udcff' is not UTF-8 text"),
    (["list", "-n", "99999999999999999999"], None),
])
def test_usage_errors_and_out_of_range_numbers_are_one_line(cli, seeded_log, args, expected):
    before = table_dump(seeded_log)
    result = cli(*args)
    no_crash(result)
    if expected is None:
        assert result.exit_code == 0
    else:
        one_line_error(result, code=1 if args[0] == "show" and args[1][0] == "9" else 2)
        assert expected in result.stderr
    assert table_dump(seeded_log) == before


@pytest.mark.parametrize("args, stdin, expected", [
    (["--params-json", '{"n": ' + "[" * 5000 + "]" * 5000 + "}"], None, "nested too deeply"),
    (["--params-json", '{"n": ' + "[" * 100 + "]" * 100 + "}"], None,
     "parameter 'n': nested deeper than 64 levels"),
    (["--input", "-"], b'{"n": "\xff"}\n', "input from stdin is not UTF-8 text"),
])
def test_hostile_parameters_are_refused_before_anything_is_logged(cli, write_agents, logged,
                                                                  args, stdin, expected):
    write_agents("agents:\n  p: {model: gpt-4o-mini, prompt: '{{ n }}', params: {n: {}}, "
                 "mock_response: ok}\n")
    before = table_dump(logged)
    result = cli("run", "p", *args, input=stdin)
    one_line_error(result)
    assert expected in result.stderr
    assert table_dump(logged) == before


def test_a_batch_line_nested_too_deeply_is_skipped_not_a_crash(cli, write_agents, logged,
                                                              tmp_path):
    write_agents("agents:\n  p: {model: gpt-4o-mini, prompt: '{{ n }}', params: {n: {}}, "
                 "mock_response: ok}\n")
    (tmp_path / "rows.jsonl").write_text('{"n": ' + "[" * 5000 + "]" * 5000 + '}\n')
    result = cli("run", "p", "--input", "rows.jsonl")
    no_crash(result)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"line": 1, "execution_id": None, "status": "invalid",
                                         "error": "nested too deeply"}
