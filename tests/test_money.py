"""One spelling of money everywhere: three significant digits below a dollar, two decimals from
a dollar up, and never `$0.00` for an amount that is not zero."""

from __future__ import annotations

import json
import re

import pytest

from agentlog.money import usd
from agentlog.timeutil import to_iso, utcnow


@pytest.mark.parametrize("value, shown", [
    (0.0027, "$0.0027"), (0.0146, "$0.0146"), (0.00384, "$0.00384"), (12.345, "$12.35"),
    (0.000013, "$0.000013"), (0.00000012345, "$0.000000123"), (0.5, "$0.50"),
    (0.812, "$0.812"), (0.99999, "$1.00"), (1234.5, "$1,234.50"), (0.0, "$0.00"),
    (None, "—"), (-0.0146, "-$0.0146")])
def test_amounts_keep_three_significant_digits_below_a_dollar(value, shown):
    assert usd(value) == shown


def _cheap_runs(log, count=44, each=0.0027 / 44):
    for _ in range(count):
        log.insert({"agent_type": "hello", "model_id": "gpt-4o-mini", "status": "success",
                    "created_at": to_iso(utcnow()), "total_cost": each,
                    "input_cost": each / 3, "output_cost": each * 2 / 3})


@pytest.mark.parametrize("args", [["stats", "hello"], ["cost-by-agent"], ["daily"], ["trend"]])
def test_reports_never_show_zero_dollars_for_a_small_spend(cli, log, args):
    _cheap_runs(log)
    out = cli("report", *args).stdout
    assert "$0.0027" in out, out
    if args != ["trend"]:  # the trend's empty days do cost $0.00
        assert not re.search(r"\$0\.00\b", out), out


def test_budgets_remaining_shows_the_small_spend(cli, write_agents, log):
    write_agents("settings:\n  budgets: {daily: 1.0}\nagents:\n"
                 "  hello: {model: gpt-4o-mini, prompt: hi}\n")
    _cheap_runs(log)
    out = cli("budgets").stdout
    assert "$0.0027" in out and "$0.997" in out, out
    assert json.loads(cli("budgets", "--json").stdout)[0]["spent"] == pytest.approx(0.0027)


def test_list_footer_total_shows_the_small_spend(cli, log):
    _cheap_runs(log, count=3, each=0.0146 / 3)
    assert "$0.0146 total" in cli("list").stdout


def test_list_footer_names_the_zone_of_its_times(cli, log, write_agents):
    write_agents("settings: {timezone: Europe/Berlin}\nagents:\n  hello: {model: m, prompt: hi}\n")
    _cheap_runs(log, count=1)
    assert "times in Europe/Berlin" in cli("list").stdout.splitlines()[-1]
