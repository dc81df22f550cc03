"""Off loopback the dashboard needs a token: Bearer for the API, ?token= once in a browser."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from webapp import create

TOKEN = "s3cret-token"


@pytest.fixture
def guarded(seeded_log):
    with TestClient(create(seeded_log, token=TOKEN), follow_redirects=False) as test_client:
        yield test_client


def test_without_the_token_every_page_and_api_is_refused(guarded):
    for page in ("/", "/executions", "/api/overview", "/static/style.css", "/export/csv"):
        assert guarded.get(page).status_code == 401
    assert guarded.get("/api/overview", headers={"Authorization": "Bearer nope"}) \
        .status_code == 401
    assert guarded.get("/?token=nope").status_code == 401


def test_bearer_opens_the_api(guarded):
    answer = guarded.get("/api/overview", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200


def test_token_in_the_url_sets_an_httponly_samesite_cookie_and_leaves_the_url(guarded):
    first = guarded.get(f"/executions?failed=1&token={TOKEN}")
    assert first.status_code == 303 and first.headers["location"] == "/executions?failed=1"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert guarded.get("/executions?failed=1").status_code == 200  # the cookie now


def test_the_token_is_compared_in_constant_time():
    import inspect

    from agentlog.web import app

    assert "hmac.compare_digest" in inspect.getsource(app._same)


def test_ui_refuses_a_public_host_without_a_token(cli):
    out = cli("ui", "--host", "0.0.0.0", "--no-open")
    assert out.exit_code == 2
    assert "give --token TOKEN" in out.stderr and "Traceback" not in out.stderr
