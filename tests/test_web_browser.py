"""The dashboard in a real browser: headless Chromium against a server on 127.0.0.1."""

from __future__ import annotations

import time

import pytest
from browser import chromium, quit_browser
from seeding import seed
from webapp import create, served

pytestmark = pytest.mark.browser
HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'


@pytest.fixture
def site(seeded_log):
    seed(seeded_log, [dict(created_at="2026-11-25T02:40:00.000Z", agent_type="evil",
                           status="success", response=HOSTILE, user_prompt=HOSTILE,
                           error_message=HOSTILE)])
    dashboard = create(seeded_log)
    browser = chromium()
    try:
        with served(dashboard) as url:
            yield browser, url, seeded_log
    finally:
        quit_browser(browser)
        dashboard.state.log.close()


def rows(browser) -> list[int]:
    """The ids of the listed rows, read in one step (the live refresh replaces them)."""
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('#rows tr[data-id]'))"
        ".map(tr => Number(tr.dataset.id))")


def wait_for(predicate, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_every_page_loads_without_a_script_error(site):
    browser, url, _ = site
    for page in ("/", "/?period=30d", "/executions", "/executions/2", "/agents",
                 "/agents/summarize", "/reports", "/budgets", "/breakers"):
        browser.get(url + page)
        assert browser.find_element("tag name", "h1").text, page
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, (page, errors)


def test_applying_a_filter_shows_only_its_rows(site):
    from selenium.webdriver.common.by import By

    browser, url, _ = site
    browser.get(url + "/executions")
    assert len(rows(browser)) == 11
    browser.find_element(By.LINK_TEXT, "failed").click()
    assert wait_for(lambda: "failed=1" in browser.current_url)
    assert sorted(rows(browser)) == [3, 4, 8]
    box = browser.find_element(By.NAME, "search")
    box.send_keys("quarterly")
    box.submit()
    assert wait_for(lambda: "search=quarterly" in browser.current_url)
    assert rows(browser) == []  # failed and about the quarterly report: none
    browser.get(url + "/executions?search=quarterly")
    assert rows(browser) == [1]


def test_picking_two_agents_shows_the_rows_of_both_and_only_those(site):
    from selenium.webdriver.common.by import By

    browser, url, _ = site
    browser.get(url + "/executions?failed=1")
    browser.find_element(By.CSS_SELECTOR, "#pick-agent summary").click()
    for agent in ("summarize", "translate"):
        browser.find_element(By.CSS_SELECTOR, f"#pick-agent input[value='{agent}']").click()
    browser.find_element(By.ID, "apply").click()
    assert wait_for(lambda: "agent=translate" in browser.current_url)
    assert "agent=summarize" in browser.current_url and "failed=1" in browser.current_url
    assert sorted(rows(browser)) == [3, 4, 8]  # failed: 3 summarize, 4 and 8 translate
    browser.get(url + "/executions?agent=summarize&agent=classify")
    assert sorted(rows(browser)) == [1, 2, 3, 5, 6, 9, 10]
    assert browser.find_element(By.CSS_SELECTOR, "#pick-agent summary").text == \
        "agent: summarize, classify"
    browser.find_element(By.CSS_SELECTOR, "#pick-status summary").click()
    browser.find_element(By.CSS_SELECTOR, "#pick-status input[value='success']").click()
    browser.find_element(By.ID, "apply").click()
    assert wait_for(lambda: "status=success" in browser.current_url)
    assert sorted(rows(browser)) == [1, 2, 5, 6, 9, 10]


def test_a_row_opens_its_detail_page(site):
    from selenium.webdriver.common.by import By

    browser, url, _ = site
    browser.get(url + "/executions?agent=classify")
    browser.find_element(By.LINK_TEXT, "5").click()
    assert wait_for(lambda: browser.current_url.endswith("/executions/5"))
    assert "lookup" in browser.find_element(By.TAG_NAME, "main").text


def test_pagination_walks_every_row_once(site):
    from selenium.webdriver.common.by import By

    browser, url, _ = site
    browser.get(url + "/executions?n=4")
    seen = rows(browser)
    for _ in range(5):
        following = browser.find_elements(By.ID, "next")
        if not following:
            break
        following[0].click()
        assert wait_for(lambda: "after=" in browser.current_url)
        seen += rows(browser)
    assert seen == list(range(11, 0, -1))


def test_a_new_execution_appears_on_the_live_list(site):
    browser, url, path = site
    browser.get(url + "/executions")
    assert 12 not in rows(browser)
    seed(path, [dict(created_at="2026-11-25T02:59:30.000Z", agent_type="newcomer",
                     status="running")])
    assert wait_for(lambda: rows(browser)[:1] == [12])
    assert "running" in browser.execute_script(
        "return document.querySelector('#rows tr').textContent")
    from agentlog import store

    with store.open(path) as log:
        log.finalize(12, {"status": "error", "error_class": "APIError"})
    assert wait_for(lambda: "APIError" in browser.execute_script(
        "return document.querySelector('#rows tr').textContent"))


def test_hostile_text_renders_as_text_and_runs_nothing(site):
    from selenium.webdriver.common.by import By

    browser, url, _ = site
    for page in ("/executions/11", "/executions", "/"):
        browser.get(url + page)
        assert browser.execute_script("return window.pwned === undefined"), page
        assert not browser.find_elements(By.CSS_SELECTOR, "main img")
    browser.get(url + "/executions/11")
    assert browser.find_element(By.ID, "response").text == HOSTILE


def test_under_ci_a_browser_test_that_cannot_run_fails_instead_of_skipping():
    import os
    import subprocess
    import sys
    from pathlib import Path

    bare = {**os.environ, "CI": "true", "PATH": str(Path(sys.executable).parent)}
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
                          f"{__file__}::test_a_row_opens_its_detail_page"],
                         capture_output=True, text=True, env=bare, timeout=120)
    assert out.returncode == 1 and "browser test skipped under CI" in out.stdout, out.stdout
