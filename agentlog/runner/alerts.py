"""Notifications of settings.alerts.webhook, sent once per condition when it starts.

After an execution's row is finalized, the conditions it may have started are checked (a budget
threshold crossed in this period, an error spike of its agent, a circuit of its models opening
or closing again). Each condition has a key; the process whose claim of the key lands in the
log's alerts_sent table sends it, so several processes or machines never send one twice. A
failed POST is not retried. Nothing here may fail or hold up a run for long: any error
becomes one warning line on stderr (once per process).
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.request
from datetime import datetime

from agentlog.money import usd
from agentlog.store import alerts as conditions
from agentlog.store.filters import FAILED
from agentlog.timeutil import to_iso, utcnow

_warned = threading.Event()


def after(cfg, log, execution, now: datetime | None = None) -> None:
    """Send what this finalized execution started; never raises."""
    try:
        now = now or utcnow()
        for event in due(cfg, log, execution, now):
            send(cfg.settings.alerts, event)
    except Exception as e:  # a notification must never fail the run it follows
        warn(f"alert not sent: {type(e).__name__}: {e}")


def due(cfg, log, execution, now: datetime) -> list[dict]:
    """The notifications this execution starts, each claimed in the log (so: to be sent)."""
    settings, agent = cfg.settings, cfg.agent(execution.agent_type)
    at = to_iso(now)
    events = []
    if execution.total_cost and settings.budgets is not None:
        for b in conditions.budgets(log, settings, now, agent.name, execution.tenant_id,
                                    every=False):
            prefix = f"budget|{b['name']}|{b['period_start']}|"
            sent = set(log.alert_keys(prefix))  # a read first: most runs claim nothing
            claimed = [t for t in b["crossed"] if f"{prefix}{t}" not in sent
                       and log.claim_alert(f"{prefix}{t}", "budget", at)]
            if b["threshold"] in claimed:  # lower thresholds crossed at once go unsaid
                events.append(_budget_event(b, execution))
    if execution.status in FAILED and settings.alerts.error_spike is not None:
        for spike in conditions.error_spikes(log, settings, now, agent.name):
            if _claim_spike(log, settings.alerts.error_spike, spike["agent"], now):
                events.append(_event("error_spike", f"{spike['agent']} failed "
                                     f"{spike['errors']} times since {spike['since']}",
                                     execution, errors=spike["errors"], since=spike["since"]))
    if settings.alerts.breakers and agent.circuit_breaker is not None:
        events += _breaker_events(log, execution, at)
    return events


def _claim_spike(log, rule, agent: str, now: datetime) -> bool:
    """One alert per spike: time is cut in windows of `within`; a spike still going on from
    the window before claims this one silently."""
    window = max(1, int(rule.window.total_seconds()))
    bucket = int(now.timestamp()) // window
    key, before = f"spike|{agent}|{bucket}", f"spike|{agent}|{bucket - 1}"
    sent = {*log.alert_keys(key), *log.alert_keys(before)}
    if key in sent or not log.claim_alert(key, "error_spike", to_iso(now)):
        return False
    return before not in sent


def _breaker_events(log, execution, at: str) -> list[dict]:
    """A circuit of the agent that opened, or one notified open that is closed again."""
    agent = execution.agent_type
    states = {b["model"]: b for b in log.breaker_states() if b["agent"] == agent}
    events = []
    opened = log.alert_keys(f"breaker_open|{agent}|")
    for model, b in states.items():
        key = f"breaker_open|{agent}|{b['opened_at']}|{model}"
        if b["state"] != "closed" and b["opened_at"] and key not in opened \
                and log.claim_alert(key, "breaker_open", at):
            events.append(_event("breaker_open", f"circuit of {agent} / {model} opened",
                                 execution, model=model))
    closed = set(log.alert_keys(f"breaker_closed|{agent}|"))
    for key in opened:
        _, _, opened_at, model = key.split("|", 3)
        episode = f"breaker_closed|{agent}|{opened_at}|{model}"
        still = states.get(model)
        if episode in closed or (still is not None and still["state"] != "closed"):
            continue
        if log.claim_alert(episode, "breaker_closed", at):
            events.append(_event("breaker_closed", f"circuit of {agent} / {model} is closed "
                                 "again", execution, model=model))
    return events


def _budget_event(b: dict, execution) -> dict:
    text = (f"{b['name']} budget: {usd(b['spent'])} of {usd(b['limit'])} spent "
            f"({b['spent'] / b['limit']:.0%}, past {b['threshold']:.0%})")
    return _event("budget_exceeded" if b["exceeded"] else "budget_threshold", text, execution,
                  budget=b["name"], limit=b["limit"], spent=b["spent"], period=b["period"],
                  threshold=b["threshold"])


def _event(kind: str, text: str, execution, **fields) -> dict:
    return {"kind": kind, "text": f"agentlog: {text}", "agent": execution.agent_type,
            "model": fields.pop("model", execution.chosen_model_id),
            "execution_id": execution.id, **fields}


def send(alerts, event: dict) -> None:
    """POST one event: JSON that Slack and Discord webhooks accept (`text`, Discord's
    `content`) with the structured fields beside it."""
    from agentlog.config import interpolate

    url = interpolate(alerts.webhook, "settings: alerts.webhook")
    body = {**event, "content": event["text"]}
    if alerts.dashboard_url:
        body["url"] = f"{alerts.dashboard_url.rstrip('/')}/executions/{event['execution_id']}"
        body["text"] += f" <{body['url']}>"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "User-Agent": "agentlog"})
    try:
        with urllib.request.urlopen(request, timeout=alerts.timeout) as reply:
            reply.read(65536)
    except Exception as e:  # refused, timed out, 4xx/5xx: the alert is lost, the run is not
        warn(f"alert '{event['kind']}' not sent to the webhook: {type(e).__name__}: "
             f"{getattr(e, 'reason', None) or e}")


def warn(message: str) -> None:
    """One line on stderr, the first time only: a dead webhook must not flood a batch."""
    if not _warned.is_set():
        _warned.set()
        print(f"agentlog: warning: {message}", file=sys.stderr, flush=True)
