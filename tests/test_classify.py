"""Failures are classified by litellm's exception types, checked against real HTTP answers.

Where litellm versions disagree on the type (a content-policy 400, a stalled stream), the
provider's error code or the transport error decides, so every version records the same.
"""

from __future__ import annotations

import litellm
import pytest
from conftest import closed_port
from fake_replies import ERRORS

from agentlog.runner import llm


def call(api_base: str, timeout: float = 5.0, **extra):
    kwargs = llm.request_kwargs("openai/gpt-4o-mini", [{"role": "user", "content": "hi"}],
                                api_base=api_base, api_key="x", timeout=timeout, extra=extra)
    with pytest.raises(Exception) as caught:  # noqa: PT011 (every failure is classified)
        if extra.get("stream"):  # a streamed call fails while its chunks are read
            list(litellm.completion(**kwargs))
        else:
            llm.complete(**kwargs)
    return llm.classify(caught.value)


@pytest.mark.parametrize(("behaviour", "kind", "retryable", "status"), [
    ("e429", "rate_limit", True, 429),
    ("e500", "server_error", True, 500),
    ("e503", "server_error", True, 503),
    ("e401", "auth", False, 401),
    ("e404", "not_found", False, 404),
    ("e400", "bad_request", False, 400),
    ("context", "context_window", False, 400),
    ("policy", "content_policy", False, 400),
    ("malformed", "server_error", True, None),  # a 200 with a broken body: no real 5xx status
])
def test_http_answers_map_to_their_kind(fake_server, behaviour, kind, retryable, status):
    failure = call(fake_server.base(behaviour))
    assert (failure.kind, failure.retryable, failure.http_status) == (kind, retryable, status)
    assert failure.rate_limited == (kind == "rate_limit")


def test_retry_after_header_is_read(fake_server):
    failure = call(fake_server.base("retry-after-3"))
    assert failure.kind == "rate_limit" and failure.retry_after == 3.0


def test_read_timeout_is_a_timeout_without_an_http_status(fake_server):
    failure = call(fake_server.base("slow-1"), timeout=0.2)
    assert failure.kind == "timeout" and failure.retryable and failure.http_status is None


@pytest.mark.parametrize("stream", [False, True])
def test_refused_connection_is_named_a_connection_error_not_a_500(stream):
    failure = call(f"http://127.0.0.1:{closed_port()}/v1", stream=stream)
    assert failure.error_class == "APIConnectionError"  # litellm itself says InternalServerError
    assert (failure.kind, failure.retryable, failure.http_status) == ("connection", True, None)
    assert "Connection refused" in failure.message


@pytest.mark.parametrize("stream", [False, True])
def test_a_connection_the_server_breaks_off_is_a_connection_error(fake_server, stream):
    failure = call(fake_server.base("stream-break"), stream=stream)
    assert failure.error_class == "APIConnectionError"
    assert (failure.kind, failure.retryable, failure.http_status) == ("connection", True, None)


@pytest.mark.parametrize(("behaviour", "stream"), [("ttft-1", True), ("ttft-1", False),
                                                   ("slow-1", True)])
def test_a_stall_that_outlives_the_timeout_is_a_timeout(fake_server, behaviour, stream):
    failure = call(fake_server.base(behaviour), timeout=0.3, stream=stream)
    assert failure.error_class == "Timeout"
    assert (failure.kind, failure.retryable, failure.http_status) == ("timeout", True, None)


@pytest.mark.parametrize("behaviour", ["e400", "e401", "e429", "e500", "e503", "context",
                                       "policy"])
def test_the_message_is_the_providers_once_without_litellms_prefixes(fake_server, behaviour):
    said = ERRORS[behaviour][1].format(model="gpt-4o-mini")
    assert call(fake_server.base(behaviour)).message == said


def test_a_message_without_a_provider_body_loses_litellms_class_names(fake_server):
    message = call(fake_server.base("malformed")).message
    assert "Expecting value" in message
    assert "Error:" not in message and "Exception -" not in message


def test_messages_never_carry_the_prompt(fake_server):
    secret_prompt = "very private prompt " * 100
    kwargs = llm.request_kwargs("openai/gpt-4o-mini", [{"role": "user", "content": secret_prompt}],
                                api_base=fake_server.base("context"), api_key="x", timeout=5)
    with pytest.raises(Exception) as caught:  # noqa: PT011
        llm.complete(**kwargs)
    failure = llm.classify(caught.value)
    assert "very private prompt" not in failure.message  # stored cut: test_guarantee_secrets
