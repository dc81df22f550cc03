"""The house keeps its shape: only store/ names a database driver, store/ never reaches up
into cli/ or runner/, web/ stays beside cli/, what is not SQLite's stays out of
store/sqlite/, the backends never import each other, and each Log offers everything the Log
protocol promises."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "agentlog"


def modules(*parts: str) -> list[Path]:
    root = PACKAGE.joinpath(*parts)
    return sorted(root.rglob("*.py")) if root.is_dir() else [root]


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return names


@pytest.mark.parametrize("path", modules("cli") + modules("runner") + modules("web")
                         + sorted(PACKAGE.glob("api*.py")), ids=lambda p: p.name)
def test_the_upper_floors_never_name_a_database_driver(path):
    text = path.read_text(encoding="utf-8")
    assert "sqlite3" not in text and "psycopg" not in text


@pytest.mark.parametrize("path", modules("store"), ids=lambda p: p.name)
def test_the_store_never_imports_the_cli_or_the_runner(path):
    assert not {n for n in imported(path) if n.startswith(("agentlog.cli", "agentlog.runner"))}


@pytest.mark.parametrize("path", modules("web"), ids=lambda p: p.name)
def test_the_dashboard_reaches_the_log_through_the_store_alone(path):
    """web/ is a face beside cli/, not above it: it shares the filters through the store."""
    assert not {n for n in imported(path) if n.startswith(("agentlog.cli", "agentlog.runner"))}


@pytest.mark.parametrize("path", [p for p in PACKAGE.joinpath("store").glob("*.py")
                                  if p.name != "__init__.py"], ids=lambda p: p.name)
def test_the_backend_neutral_store_does_not_know_sqlite(path):
    names = imported(path)
    assert "sqlite3" not in names and not {n for n in names if ".sqlite" in n}


@pytest.mark.parametrize("backend", ["sqlite.log:SqliteLog", "postgres.log:PostgresLog"])
def test_each_log_offers_every_method_of_the_protocol(backend):
    import importlib

    from agentlog.store.log import Log

    module, name = backend.split(":")
    offered = getattr(importlib.import_module(f"agentlog.store.{module}"), name)
    promised = {name for name in vars(Log) if not name.startswith("_")} - {"where"}
    assert promised and promised <= set(dir(offered))


@pytest.mark.parametrize("path", modules("store", "postgres") + modules("store", "sqlite"),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_one_backend_never_imports_the_other(path):
    other = ".sqlite" if path.parent.name == "postgres" else ".postgres"
    assert not {n for n in imported(path) if other in n}


@pytest.mark.parametrize("path", modules("otel"), ids=lambda p: p.name)
def test_the_otel_package_reads_the_log_and_nothing_above_it(path):
    names = imported(path)
    assert not {n for n in names if n.startswith(("agentlog.cli", "agentlog.runner",
                                                   "agentlog.store.sqlite",
                                                   "agentlog.store.postgres"))}


@pytest.mark.parametrize("path", [p for p in PACKAGE.rglob("*.py")
                                  if p.parent.name != "otel"], ids=lambda p: p.name)
def test_only_the_otel_package_imports_opentelemetry(path):
    assert not {n for n in imported(path) if n.startswith("opentelemetry")}
