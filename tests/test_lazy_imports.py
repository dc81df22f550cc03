"""Reading commands must not pay for litellm (seconds of import): prove it in a fresh process."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from agentlog.cli.app import app
try:
    app(sys.argv[1:], prog_name="agentlog")
except SystemExit:
    pass
print("LITELLM_LOADED" if "litellm" in sys.modules else "LITELLM_NOT_LOADED", file=sys.stderr)
heavy = [m for m in ("sqlite_utils", "jinja2", "yaml", "agentlog.config") if m in sys.modules]
otel = any(m.startswith(("opentelemetry", "agentlog.otel")) for m in sys.modules)
print("OTEL_LOADED" if otel else "OTEL_NOT_LOADED", file=sys.stderr)
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
"""
FILTERS = ["list", "--failed", "--today", "--agent", "hello", "--model", "gpt-4o-mini",
           "--meta", "team=docs", "--search", "hello", "--expensive", "0.1", "--since", "7d",
           "--with-fallback", "--streaming", "--sort", "cost", "--columns", "id,cost"]
EXPORT_PRUNE = [
    ["export", "csv"], ["export", "json", "--columns", "id,metadata"],
    ["export", "jsonl", "--agent", "hello", "--search", "hello", "--meta", "team=docs"],
    ["prune", "--older-than", "1d", "--dry-run"], ["prune", "--older-than", "1s", "--yes"],
    ["prune", "--older-than", "1s", "--yes", "--agent", "hello", "--search", "hello"],
]
REPORTS = [["report", "--help"], ["report", "daily"], ["report", "daily", "--json"],
           ["report", "cost-by-agent", "--period", "this-month", "--tenant", "acme"],
           ["report", "cost-by-model", "--json"], ["report", "cost-by-tenant"],
           ["report", "stats", "hello", "--search", "hello"], ["report", "trend"],
           ["report", "trend", "--by", "hour", "--json"]]


def run_probe(args: list[str], env_db: str) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "AGENTLOG_DB": env_db}
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.fixture
def logged(cli, tmp_path, db_path):
    from conftest import REPO

    assert cli("run", "hello", "-c", str(REPO / "agentlog" / "agents.yaml.example")).exit_code == 0
    return str(db_path)


@pytest.mark.parametrize("args", [
    ["--help"], ["list"], ["list", "-n", "5", "--json"], ["show", "last"], ["show", "1"],
    ["agents", "-c", "AGENTS"], ["agents", "validate", "-c", "AGENTS"], *REPORTS,
    ["breakers"], ["breakers", "--json"], ["breakers", "reset"],
    ["budgets", "-c", "AGENTS"], ["budgets", "--json", "-c", "AGENTS"], *EXPORT_PRUNE,
    ["alerts"], ["alerts", "--json", "-c", "AGENTS"],
    ["ui", "--help"], ["ui", "--host", "0.0.0.0"], ["path"], ["init", "-c", "new.yaml"],
    ["export", "--help"], ["export", "otlp", "--help"],
])
def test_reading_commands_never_import_litellm(logged, args):
    from conftest import REPO

    args = [str(REPO / "agentlog" / "agents.yaml.example") if a == "AGENTS" else a for a in args]
    out = run_probe(args, logged)
    assert "LITELLM_NOT_LOADED" in out.stderr, out.stderr
    assert "OTEL_NOT_LOADED" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("args", [["list"], FILTERS, [*FILTERS, "--json"], ["show", "last"],
                                  *REPORTS, *EXPORT_PRUNE])
def test_reading_the_log_loads_neither_the_agents_file_machinery_nor_the_schema_tools(
        logged, args):
    """No agents file here: list, show, the reports, export and prune need no yaml, no
    pydantic models, no sqlite-utils."""
    out = run_probe(args, logged)
    assert "HEAVY:\n" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


def test_the_probe_does_see_litellm_on_the_run_path(logged):
    """Guards the test above: the probe must notice litellm when it is imported."""
    from conftest import REPO

    out = run_probe(["run", "hello", "-c", str(REPO / "agentlog" / "agents.yaml.example")], logged)
    assert "LITELLM_LOADED" in out.stderr, out.stderr


COMMAND_MODULES = ("run", "listing", "report", "export", "prune", "agents", "breakers",
                   "budgets", "ui")
ONLY_ITS_OWN = """
import sys
from agentlog.cli.app import main
try:
    main()
except SystemExit:
    pass
loaded = [m for m in MODULES if "agentlog.cli." + m in sys.modules]
print("COMMANDS:" + ",".join(loaded), file=sys.stderr)
"""


@pytest.mark.parametrize(("args", "own"), [
    (["list", "-n", "1"], "listing"), (["report", "daily"], "report"),
    (["export", "csv"], "export"), (["budgets", "--help"], "budgets")])
def test_a_command_loads_only_its_own_module(logged, args, own):
    """Start-up builds the invoked command alone, not the options of all 35."""
    import os

    probe = ONLY_ITS_OWN.replace("MODULES", repr(COMMAND_MODULES))
    out = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                         env={**os.environ, "AGENTLOG_DB": logged}, timeout=60)
    assert f"COMMANDS:{own}\n" in out.stderr, out.stderr


def test_help_still_lists_every_command(cli):
    out = cli("--help").stdout
    listed = [line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()]
    assert listed == ["init", "run", "list", "show", "report", "export", "prune", "agents",
                      "breakers", "budgets", "alerts", "db", "ui", "path"]


BUILT_SUBCOMMANDS = """
import sys
from agentlog.cli.app import command, main
try:
    main()
except SystemExit:
    pass
print("BUILT:" + ",".join(sorted(command("report").commands)), file=sys.stderr)
"""


def test_a_report_builds_only_its_own_command_and_help_lists_all_six(logged, cli):
    """`report daily` builds daily's options alone; `report --help` still lists every report
    with its summary."""
    import os

    out = subprocess.run([sys.executable, "-c", BUILT_SUBCOMMANDS, "report", "daily"],
                         capture_output=True, text=True,
                         env={**os.environ, "AGENTLOG_DB": logged}, timeout=60)
    assert "BUILT:daily\n" in out.stderr, out.stderr
    listing = cli("report", "--help").stdout.split("Commands:")[1]
    rows = [line.split(None, 1) for line in listing.splitlines() if line.strip()]
    assert [name for name, _ in rows] == ["daily", "cost-by-agent", "cost-by-model",
                                          "cost-by-tenant", "stats", "trend"]
    assert all(summary.strip() for _, summary in rows)


def test_every_command_and_subcommand_builds_and_shows_its_help(cli):
    """Each lazily loaded command builds (its options, from its signature) and has a help."""
    from agentlog.cli.app import COMMANDS, command

    for name in COMMANDS:
        shown = cli(name, "--help")
        assert shown.exit_code == 0 and f"Usage: agentlog {name}" in shown.stdout, name
        for sub in getattr(command(name), "lazy", {}):
            shown = cli(name, sub, "--help")
            assert shown.exit_code == 0 and f"Usage: agentlog {name} {sub}" in shown.stdout


LIST_PROBE = PROBE.replace('("sqlite_utils", "jinja2", "yaml", "agentlog.config")',
                           '("agentlog.store.sqlite.reports", "agentlog.store.sqlite.export", '
                           '"agentlog.store.async_writer")')


def test_list_and_show_load_neither_the_reports_nor_the_exporter_nor_the_background_writer(
        logged):
    """The Log loads a part of the store when a command asks for it."""
    import os

    for args in (["list", "-n", "20"], ["show", "last"]):
        out = subprocess.run([sys.executable, "-c", LIST_PROBE, *args], capture_output=True,
                             text=True, env={**os.environ, "AGENTLOG_DB": logged}, timeout=60)
        assert "HEAVY:\n" in out.stderr, out.stderr


DASHBOARD = """
import sys
from starlette.testclient import TestClient
from agentlog.cli import context
from agentlog.web import app
log = context.log(None, None)
client = TestClient(app.create(log, context.settings(sys.argv[1]),
                               lambda: context.full_settings(sys.argv[1])))
pages = ["/", "/executions", "/executions/1", "/agents", "/agents/hello", "/reports",
         "/budgets", "/breakers", "/export/csv", "/live/rows"]
codes = [client.get(page).status_code for page in pages]
print("CODES:" + ",".join(map(str, codes)), file=sys.stderr)
print("LITELLM_LOADED" if "litellm" in sys.modules else "LITELLM_NOT_LOADED", file=sys.stderr)
"""


def test_the_dashboard_serves_every_page_without_importing_litellm(logged):
    """What `agentlog ui` runs, page by page, in a fresh process."""
    import os

    from conftest import REPO

    example = str(REPO / "agentlog" / "agents.yaml.example")
    out = subprocess.run([sys.executable, "-c", DASHBOARD, example],
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "AGENTLOG_DB": logged})
    assert "CODES:" + ",".join(["200"] * 10) in out.stderr, out.stderr
    assert "LITELLM_NOT_LOADED" in out.stderr, out.stderr
