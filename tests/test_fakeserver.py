"""Exercise tests/fakeserver.py through litellm's real HTTP path."""

import os

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ["LITELLM_LOG"] = "ERROR"

import contextlib  # noqa: E402
import json  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from email.utils import parsedate_to_datetime  # noqa: E402

import httpx  # noqa: E402
import litellm  # noqa: E402
import pytest  # noqa: E402
from fakeserver import FakeServer  # noqa: E402
from litellm.exceptions import MidStreamFallbackError  # noqa: E402

litellm.suppress_debug_info = True

MODEL = "openai/gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "hi"}]


def complete(server: FakeServer, behaviour: str, **kwargs):
    kwargs.setdefault("messages", MESSAGES)
    kwargs.setdefault("timeout", 5)
    return litellm.completion(
        model=MODEL,
        api_base=server.base(behaviour),
        api_key="x",
        max_retries=0,
        **kwargs,
    )


def test_base_url_shape(fake_server):
    assert fake_server.url.startswith("http://127.0.0.1:")
    assert fake_server.base("ok") == fake_server.url + "/ok/v1"


def test_ok_content_usage_and_model_echo(fake_server):
    resp = complete(fake_server, "ok")
    assert resp.choices[0].message.content == "fake answer"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage.prompt_tokens == 12
    assert resp.usage.completion_tokens == 7
    assert resp.usage.total_tokens == 19
    # The server echoes a dated snapshot name, not the requested model.
    assert resp.model == "gpt-4o-mini-2024-08-06"
    req = fake_server.requests[-1]
    assert req["path"] == "/ok/v1/chat/completions"
    assert req["behaviour"] == "ok"
    assert req["json"]["model"] == "gpt-4o-mini"
    assert req["json"]["messages"] == MESSAGES
    assert req["headers"]["authorization"] == "Bearer x"


def test_set_reply_overrides(fake_server):
    fake_server.set_reply(
        content="custom text",
        usage={"prompt_tokens": 100, "completion_tokens": 50},
        finish_reason="length",
    )
    resp = complete(fake_server, "ok")
    assert resp.choices[0].message.content == "custom text"
    assert resp.choices[0].finish_reason == "length"
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens) == (100, 50)
    assert resp.usage.total_tokens == 150


@pytest.mark.parametrize(
    ("behaviour", "exc_class", "status"),
    [
        ("e400", litellm.BadRequestError, 400),
        ("e401", litellm.AuthenticationError, 401),
        ("e404", litellm.NotFoundError, 404),
        ("e429", litellm.RateLimitError, 429),
        ("e500", litellm.InternalServerError, 500),
        ("e503", litellm.ServiceUnavailableError, 503),
        ("context", litellm.ContextWindowExceededError, 400),
    ],
)
def test_error_mapping(fake_server, behaviour, exc_class, status):
    with pytest.raises(exc_class) as info:
        complete(fake_server, behaviour)
    # Exact class, not just a subclass/superclass match.
    assert type(info.value) is exc_class
    assert info.value.status_code == status
    assert fake_server.count(behaviour) == 1


def test_policy_is_a_400_carrying_the_provider_code(fake_server):
    # litellm 1.106 raises ContentPolicyViolationError, 1.110 a plain BadRequestError: the
    # code in the body is what stays.
    with pytest.raises(litellm.BadRequestError) as info:
        complete(fake_server, "policy")
    assert info.value.status_code == 400
    r = httpx.post(fake_server.base("policy") + "/chat/completions", json={"model": "m"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "content_policy_violation"


def test_error_body_shape_is_openai(fake_server):
    r = httpx.post(fake_server.base("context") + "/chat/completions", json={"model": "m"})
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["type"] == "invalid_request_error"
    assert err["code"] == "context_length_exceeded"
    assert "message" in err


def test_retry_after_header_exposed(fake_server):
    with pytest.raises(litellm.RateLimitError) as info:
        complete(fake_server, "retry-after-3")
    headers = info.value.litellm_response_headers
    assert headers is not None
    assert headers.get("retry-after") == "3"


def test_retry_after_as_a_date_or_in_milliseconds(fake_server):
    chat = {"model": "m", "messages": MESSAGES}
    r = httpx.post(fake_server.base("retry-after-date-3") + "/chat/completions", json=chat)
    ahead = parsedate_to_datetime(r.headers["retry-after"]).timestamp() - time.time()
    assert r.status_code == 429 and 1.5 < ahead <= 3
    r = httpx.post(fake_server.base("retry-after-ms-250") + "/chat/completions", json=chat)
    assert r.status_code == 429 and r.headers["retry-after-ms"] == "250"


@pytest.mark.parametrize("stream", [False, True])
def test_cost_sends_the_proxy_cost_header(fake_server, stream):
    chat = {"model": "m", "messages": MESSAGES, "stream": stream}
    r = httpx.post(fake_server.base("cost-0.0123") + "/chat/completions", json=chat)
    assert r.status_code == 200 and r.headers["x-litellm-response-cost"] == "0.0123"


@pytest.mark.parametrize(
    ("behaviour", "exc_class"),
    [("flaky-2", litellm.InternalServerError), ("flaky429-2", litellm.RateLimitError)],
)
def test_flaky_fails_n_times_then_succeeds(fake_server, behaviour, exc_class):
    for _ in range(2):
        with pytest.raises(exc_class):
            complete(fake_server, behaviour)
    resp = complete(fake_server, behaviour)
    assert resp.choices[0].message.content == "fake answer"
    assert fake_server.count(behaviour) == 3
    # reset() rewinds the per-behaviour counter
    fake_server.reset()
    assert fake_server.count() == 0
    with pytest.raises(exc_class):
        complete(fake_server, behaviour)


def test_flaky_counts_per_segment(fake_server):
    with pytest.raises(litellm.InternalServerError):
        complete(fake_server, "flaky-1")
    # a different segment has its own counter
    with pytest.raises(litellm.InternalServerError):
        complete(fake_server, "flaky-2")
    assert complete(fake_server, "flaky-1").choices[0].message.content == "fake answer"


def test_slow_times_out(fake_server):
    start = time.monotonic()
    with pytest.raises(litellm.Timeout):
        complete(fake_server, "slow-1", timeout=0.3)
    assert time.monotonic() - start < 0.9


def test_slow_succeeds_within_timeout(fake_server):
    start = time.monotonic()
    resp = complete(fake_server, "slow-0.2")
    assert time.monotonic() - start >= 0.2
    assert resp.choices[0].message.content == "fake answer"


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "weather for a city",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "days": {"type": "integer"},
                    "metric": {"type": "boolean"},
                    "note": {"type": "string"},
                },
                "required": ["city", "days", "metric"],
            },
        },
    }
]


def test_tools_round_trip(fake_server):
    # _skip_mcp_handler=True is required: without it litellm imports its MCP
    # gateway when tools= is given, and the `mcp` package is not installed.
    messages = [{"role": "user", "content": "weather in Paris?"}]
    first = complete(fake_server, "tools", messages=messages, tools=TOOLS, _skip_mcp_handler=True)
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "x", "days": 1, "metric": True}
    assert first.usage.total_tokens == 19

    messages = [
        *messages,
        choice.message.model_dump(),
        {"role": "tool", "tool_call_id": call.id, "content": "sunny, 21C"},
    ]
    second = complete(fake_server, "tools", messages=messages, tools=TOOLS, _skip_mcp_handler=True)
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content == "done: sunny, 21C"
    assert second.usage.total_tokens == 19
    assert fake_server.count("tools") == 2


def test_tools_streaming(fake_server):
    stream = complete(fake_server, "tools", tools=TOOLS, stream=True, _skip_mcp_handler=True)
    built = litellm.stream_chunk_builder(list(stream))
    (call,) = built.choices[0].message.tool_calls
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "x", "days": 1, "metric": True}


def test_streaming_chunks_and_usage(fake_server):
    fake_server.set_reply(content="one two three four")
    stream = complete(fake_server, "ok", stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(texts) >= 4
    assert "".join(texts) == "one two three four"
    usages = [getattr(c, "usage", None) for c in chunks if getattr(c, "usage", None)]
    assert usages
    assert usages[-1].prompt_tokens == 12
    assert usages[-1].completion_tokens == 7
    req = fake_server.requests[-1]["json"]
    assert req["stream"] is True
    assert req["stream_options"] == {"include_usage": True}


def test_streaming_raw_sse_format(fake_server):
    body = {"model": "m", "stream": True, "stream_options": {"include_usage": True}}
    r = httpx.post(fake_server.base("ok") + "/chat/completions", json=body)
    assert r.headers["content-type"].startswith("text/event-stream")
    events = [e for e in r.text.split("\n\n") if e]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"
    last = json.loads(events[-2][len("data: ") :])
    assert last["choices"] == [] and last["usage"]["total_tokens"] == 19
    assert json.loads(events[0][len("data: ") :])["object"] == "chat.completion.chunk"


def test_stream_delay_before_first_chunk(fake_server):
    start = time.monotonic()
    stream = complete(fake_server, "ttft-0.3", stream=True)
    first_content_at = None
    for chunk in stream:
        if first_content_at is None and chunk.choices and chunk.choices[0].delta.content:
            first_content_at = time.monotonic() - start
    assert first_content_at is not None and first_content_at >= 0.3
    assert fake_server.count("ttft-0.3") == 1


def test_stream_break_raises_midstream(fake_server):
    stream = complete(fake_server, "stream-break", stream=True)
    got = []
    with pytest.raises(MidStreamFallbackError) as info:
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                got.append(chunk.choices[0].delta.content)
    # MidStreamFallbackError subclasses ServiceUnavailableError (status 503)
    assert isinstance(info.value, litellm.ServiceUnavailableError)
    cause = info.value
    while cause is not None and not isinstance(cause, httpx.RemoteProtocolError):
        cause = cause.__cause__ or cause.__context__
    assert "incomplete chunked read" in str(cause)  # the server hung up mid-body
    assert "".join(got) == "fake answer"  # the two word chunks arrived first


def test_stream_break_without_streaming(fake_server):
    # Truncated body + hang-up: openai's APIConnectionError, which litellm maps
    # to InternalServerError("Connection error.").
    with pytest.raises(litellm.InternalServerError) as info:
        complete(fake_server, "stream-break")
    assert "Connection error" in str(info.value)


def test_malformed_body(fake_server):
    with pytest.raises(litellm.InternalServerError) as info:
        complete(fake_server, "malformed")
    assert type(info.value) is litellm.InternalServerError
    assert "Expecting value" in str(info.value)


def test_unknown_behaviour_is_404(fake_server):
    with pytest.raises(litellm.NotFoundError):
        complete(fake_server, "no-such-behaviour")
    r = httpx.post(fake_server.base("no-such-behaviour") + "/chat/completions", json={})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "unknown_behaviour"
    assert fake_server.count("no-such-behaviour") == 2


def test_request_counter(fake_server):
    assert fake_server.count() == 0
    complete(fake_server, "ok")
    complete(fake_server, "ok")
    with pytest.raises(litellm.RateLimitError):
        complete(fake_server, "e429")
    assert fake_server.count() == 3
    assert fake_server.count("ok") == 2
    assert fake_server.count("e429") == 1
    assert fake_server.count("e500") == 0
    assert [r["behaviour"] for r in fake_server.requests] == ["ok", "ok", "e429"]
    fake_server.reset()
    assert fake_server.count() == 0
    assert fake_server.requests == []


def test_concurrent_requests(fake_server):
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            assert complete(fake_server, "slow-0.1").choices[0].message.content == "fake answer"
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert fake_server.count("slow-0.1") == 16
    assert time.monotonic() - start < 3  # served in parallel, not 16 * 0.1s serially


def test_stop_does_not_wait_for_slow_handlers():
    server = FakeServer().start()
    url = server.base("slow-30") + "/chat/completions"

    def hang() -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(url, json={"model": "m"}, timeout=0.2)

    t = threading.Thread(target=hang, daemon=True)
    t.start()
    deadline = time.monotonic() + 2
    while server.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 1
    t.join(2)


def test_context_manager():
    with FakeServer() as server:
        r = httpx.post(server.base("ok") + "/chat/completions", json={"model": "gpt-4o"})
        assert r.json()["model"] == "gpt-4o-2024-08-06"
        assert r.headers["content-length"] == str(len(r.content))
