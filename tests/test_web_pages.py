"""The dashboard's pages and their JSON twins, through Starlette's TestClient."""

from __future__ import annotations

import html
import json

import pytest
from seeding import table_dump

PAGES = ["/", "/?period=today", "/?period=30d", "/?period=90d",
         "/?period=custom&since=2026-11-01&until=2026-11-20", "/executions",
         "/executions?failed=1&agent=summarize", "/executions/1", "/agents",
         "/agents/summarize", "/reports", "/reports?days=30&tenant=acme", "/budgets",
         "/breakers"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_and_its_json_twin_answers(client, page):
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    assert shown.headers["content-type"].startswith("text/html")
    path, _, rest = page.partition("?")
    api = client.get("/api" + (path if path != "/" else "/overview") + ("?" + rest if rest else ""))
    assert api.status_code == 200 and api.headers["content-type"] == "application/json"
    assert api.json() is not None


def test_every_response_carries_a_csp_without_inline_scripts_and_nosniff(client):
    for page in ("/", "/executions", "/executions/424242", "/static/live.js", "/api/overview"):
        headers = client.get(page).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in client.get("/").text  # scripts come from /static only


def test_the_overview_shows_kpis_against_the_previous_period_and_attention(client):
    data = client.get("/api/overview?period=30d").json()
    kpis = {k["key"]: k for k in data["kpis"]}
    assert kpis["executions"]["value"] == 9 and kpis["executions"]["previous"] == 1
    assert kpis["executions"]["change"] == 8.0
    assert data["summary"]["failed"] == 3 and data["summary"]["running"] == 1
    assert {r["agent"] for r in data["top"]["agent"]} == {"summarize", "classify", "translate"}
    assert len(data["charts"]["executions"]) == 30 and sum(data["charts"]["executions"]) == 9
    assert [e["id"] for e in data["latest"]] == list(range(10, 0, -1))
    assert data["attention"]["any"] is False


def test_the_list_api_returns_what_list_json_prints_for_the_same_filters(client, cli):
    printed = json.loads(cli("list", "--failed", "--agent", "summarize", "--agent", "translate",
                             "--json").stdout)
    served = client.get("/api/executions?failed=1&agent=summarize&agent=translate").json()
    assert served == printed and {e["id"] for e in served} == {3, 4, 8}


def test_the_list_totals_count_every_match_not_only_the_page(client):
    data = client.get("/api/executions?n=2").json()
    assert len(data) == 2
    page = client.get("/executions?n=2&successful=1")
    assert "6 executions match" in page.text and "$2.81" in page.text


def test_keyset_pages_follow_each_other_in_the_chosen_order(client):
    seen, url = [], "/executions?n=3&sort=-total_cost"
    for _ in range(10):
        page = client.get(url)
        seen += [int(i) for i in _ids(page.text)]
        following = [a for a in page.text.split('id="next" href="')[1:]]
        if not following:
            break
        url = following[0].split('"')[0].replace("&amp;", "&")
    costs = client.get("/api/executions?n=50&sort=-total_cost").json()
    assert seen == [e["id"] for e in costs] and len(seen) == 10


def _ids(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('<tr class="status-')[1:]
            for part in [part.split('data-id="')[1]]]


def test_a_detail_page_shows_every_field_attempts_tools_and_links(client):
    page = client.get("/executions/5").text
    assert "lookup" in page and "42" in page and "batch" in page
    assert 'href="/executions?batch=b1"' in page and 'href="/executions?tenant=beta"' in page
    detail = client.get("/api/executions/5").json()
    assert detail["e"]["tool_calls"][0]["name"] == "lookup"
    assert client.get("/executions/2").text.count("spam") >= 2  # response and parsed output


def test_a_detail_page_renders_attempts_and_tools_with_keys_missing(client, seeded_log):
    from seeding import seed

    seed(seeded_log, [dict(created_at="2026-11-25T02:50:00.000Z", agent_type="old",
                           status="success", attempts=[{"model": "m"}], attempts_count=1,
                           tool_calls=[{"name": "t"}], tool_calls_count=1)])
    page = client.get("/executions/11")
    assert page.status_code == 200 and "<strong>m</strong>" in page.text


@pytest.mark.parametrize("page", ["/executions/424242", "/api/executions/424242",
                                  "/executions/abc", "/agents/nobody", "/nothing-here",
                                  "/export/xml"])
def test_unknown_rows_and_pages_are_404(client, page):
    assert client.get(page).status_code == 404


@pytest.mark.parametrize(("query", "message"), [
    ("today=1&yesterday=1", "--yesterday cannot be combined with --today"),
    ("since=later", "--since"),
    ("bogus=1", "no such filter: 'bogus'"),
    ("failed=perhaps", "--failed is a switch"),
    ("sort=nonsense", "unknown column 'nonsense'"),
    ("n=0", "n must be a whole number"),
    ("after=999", "after: no execution with id '999'"),
    ("status=lost", "unknown status 'lost'"),
])
def test_bad_parameters_are_a_400_with_the_clis_one_line_message(client, query, message):
    page = client.get("/executions?" + query)
    shown = html.unescape(page.text)
    assert page.status_code == 400 and message in shown and "Traceback" not in shown
    api = client.get("/api/executions?" + query)
    assert api.status_code == 400 and message in api.json()["error"]


def test_bad_periods_are_400_too(client):
    assert "unknown period 'year'" in html.unescape(client.get("/?period=year").text)
    assert client.get("/api/overview?period=custom&since=soon").status_code == 400


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_downloads_are_the_export_of_the_same_filters(client, cli, fmt):
    served = client.get(f"/export/{fmt}?failed=1&tenant=acme")
    assert served.status_code == 200
    assert served.headers["content-disposition"] == f'attachment; filename="executions.{fmt}"'
    assert served.content == cli("export", fmt, "--failed", "--tenant", "acme").stdout_bytes


def test_the_live_partials_render_the_newest_rows(client, seeded_log):
    from seeding import seed

    seed(seeded_log, [dict(created_at="2026-11-25T02:59:00.000Z", agent_type="fresh",
                           status="running")])
    assert '/agents/fresh' in client.get("/live/rows?agent=fresh").text
    assert 'data-id="11"' in client.get("/live/latest").text


def test_the_list_offers_recent_agents_and_models_and_keeps_what_was_picked(client):
    page = client.get("/executions?agent=summarize&agent=gone&status=error,timeout").text
    for offered in ('name="agent" value="classify">', 'name="agent" value="translate">',
                    'name="model" value="gpt-4o">', 'name="status" value="running">'):
        assert offered in page  # seeded agents and models of the last 30 days, unpicked
    for picked in ('name="agent" value="summarize" checked', 'name="agent" value="gone" checked',
                   'name="status" value="error" checked', 'name="status" value="timeout" checked'):
        assert picked in page
    ids = [r["id"] for r in client.get("/api/executions?agent=summarize&agent=translate"
                                       "&status=error&status=timeout").json()]
    assert sorted(ids) == [3, 4, 8]


def test_a_poll_of_the_list_returns_only_newer_rows_and_the_running_ones(client, seeded_log):
    from seeding import seed

    from agentlog import store

    seed(seeded_log, [dict(created_at="2026-11-25T02:59:00.000Z", agent_type="fresh",
                           status="running")])
    with store.open(seeded_log) as log:
        log.finalize(7, {"status": "error", "error_class": "Interrupted"})
    poll = client.get("/live/rows?newest=10&running=7")
    assert poll.text.count("data-id=") == 2
    assert 'data-id="11"' in poll.text and 'data-id="7"' in poll.text
    assert "Interrupted" in poll.text  # the running row turned into its outcome
    assert "data-id=" not in client.get("/live/rows?newest=11&agent=classify").text
    assert "No executions match" not in client.get("/live/rows?newest=11").text
    bad = client.get("/live/rows?newest=1&running=7,x")
    assert bad.status_code == 400 and "running" in bad.text


HOSTILE = ('<script>alert("x")</script><img src=x onerror="alert(1)">'
           '"><svg onload=alert(2)>')


def test_stored_text_is_escaped_everywhere(client, seeded_log):
    from seeding import seed

    seed(seeded_log, [dict(created_at="2026-11-25T02:58:00.000Z", agent_type=HOSTILE,
                           status="error", error_class=HOSTILE, error_message=HOSTILE,
                           tenant_id=HOSTILE, response=HOSTILE, user_prompt=HOSTILE,
                           metadata={"k": HOSTILE})])
    for page in ("/executions/11", "/executions", "/", "/agents", "/reports",
                 "/executions?tenant=" + HOSTILE):
        text = client.get(page).text
        assert "<script>alert" not in text and "<img src=x" not in text, page
        assert "<svg onload" not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in client.get("/executions/11").text


def test_no_page_writes_to_the_log(client, seeded_log):
    before = table_dump(seeded_log)
    for page in [*PAGES, "/export/csv", "/live/rows", "/executions?search=report"]:
        client.get(page)
    assert table_dump(seeded_log) == before
    assert client.post("/executions").status_code == 405


def test_budgets_show_limit_spent_remaining_and_projection(seeded_log):
    from starlette.testclient import TestClient
    from webapp import create

    budgets = {"daily": 0.001, "monthly": 100.0}
    with TestClient(create(seeded_log, budgets=budgets)) as test_client:
        rows = {b["name"]: b for b in test_client.get("/api/budgets").json()["budgets"]}
        overview = test_client.get("/api/overview").json()["attention"]
    assert rows["daily"]["exceeded"] and rows["daily"]["projected"] is None
    assert rows["monthly"]["remaining"] == pytest.approx(100 - rows["monthly"]["spent"])
    assert rows["monthly"]["projected"] > rows["monthly"]["spent"]
    assert [b["name"] for b in overview["budgets"]] == ["daily"] and overview["any"]


def test_an_open_breaker_is_listed_and_needs_attention(client, seeded_log):
    from agentlog import store
    from agentlog.timeutil import now_iso

    with store.open(seeded_log) as log:
        log.change_breaker("summarize", "gpt-4o-mini", lambda _: {
            "state": "open", "failures": [now_iso()] * 5, "opened_at": now_iso(),
            "reopen_at": "2099-01-01T00:00:00.000Z"})
    assert client.get("/api/breakers").json()["breakers"][0]["state"] == "open"
    attention = client.get("/api/overview").json()["attention"]
    assert attention["breakers"][0]["model"] == "gpt-4o-mini" and attention["any"]


def test_an_error_spike_and_an_overdue_running_row_need_attention(client, seeded_log):
    from seeding import seed

    seed(seeded_log, [dict(created_at=f"2026-11-25T02:5{i}:00.000Z", agent_type="burst",
                           status="error", error_class="APIError") for i in range(5)]
         + [dict(created_at="2026-11-25T02:00:00.000Z", agent_type="stuck", status="running",
                 deadline_at="2026-11-25T02:02:00.000Z")])
    attention = client.get("/api/overview").json()["attention"]
    assert attention["error_spike"]["spiking"]
    assert [e["agent_type"] for e in attention["overdue"]] == ["stuck"]
    assert "still running past its deadline" in client.get("/").text


def test_overview_percentiles_come_from_the_histograms_and_say_how_close(client):
    durations = client.get("/api/overview?period=30d").json()["durations"]
    assert durations["approximate"] and durations["error"] == 0.025 and durations["by"] == "day"
    assert len(durations["slices"]) in (30, 31)  # one per UTC day of the 30 local days
    page = client.get("/?period=30d").text
    assert "within 2.5% of the exact value" in page and "≈" in page
    today = client.get("/api/overview?period=today").json()["durations"]
    assert today["by"] == "hour" and len(today["slices"]) in (24, 25)
