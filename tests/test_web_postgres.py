"""The dashboard over a PostgreSQL log answers as over the same rows in SQLite: every page
renders, and every JSON twin returns the same values."""

from __future__ import annotations

import pytest
from seeding import NOW, seed
from test_web_pages import PAGES
from webapp import create

pytestmark = pytest.mark.postgres

POLLS = ["/api/executions?n=5", "/api/executions?n=3&after=7", "/api/overview?period=90d",
         "/api/executions?search=quarterly", "/api/executions?meta=team%3Ddocs"]


@pytest.fixture
def clients(tmp_path, pg_url, monkeypatch):
    from starlette.testclient import TestClient

    monkeypatch.setenv("AGENTLOG_NOW", NOW)
    path = tmp_path / "seeded.db"
    seed(path)
    seed(pg_url)
    apps = [create(path), create(pg_url)]
    with TestClient(apps[0]) as lite, TestClient(apps[1]) as pg:
        yield lite, pg
    for app in apps:
        app.state.log.close()


def rounded(value):
    """Floats to 12 significant digits: sums of the same costs in another order differ in
    the last bits."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def _api(page: str) -> str:
    path, _, rest = page.partition("?")
    return "/api" + (path if path != "/" else "/overview") + ("?" + rest if rest else "")


@pytest.mark.parametrize("page", PAGES + POLLS)
def test_each_page_and_its_json_twin_answer_as_on_sqlite(clients, page):
    lite, pg = clients
    url = page if page.startswith("/api") else _api(page)
    assert rounded(pg.get(url).json()) == rounded(lite.get(url).json())
    if not page.startswith("/api"):
        shown = pg.get(page)
        assert shown.status_code == 200, shown.text
