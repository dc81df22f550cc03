"""`timeout` and `total_timeout` bound the whole attempt (connect, wait, body, every chunk of a
stream), not the gap between two bytes: an answer that trickles in ends at the deadline as
`timeout`, and a stream's partial text is discarded, never stored as the response."""

from __future__ import annotations

import pytest

WORDS = " ".join(f"w{i}" for i in range(20))  # the stream sends one word per gap


def trickling_agent(server, stream: bool, limits: tuple[float, float]) -> str:
    return f"""
        agents:
          a:
            model: openai/gpt-4o-mini
            api_base: {server.base("trickle-10")}
            api_key: x
            prompt: hi
            stream: {str(stream).lower()}
            retries: {{max: 0}}
            timeout: {limits[0]}
            total_timeout: {limits[1]}
    """


@pytest.mark.parametrize("stream", [False, True], ids=["body", "stream"])
@pytest.mark.parametrize("limits", [(30, 1), (1, 60)], ids=["total_timeout", "timeout"])
def test_an_answer_that_trickles_ends_at_the_deadline_as_timeout(
        cli, write_agents, db_path, read_rows, fake_server, stream, limits):
    fake_server.set_reply(content=WORDS)
    write_agents(trickling_agent(fake_server, stream, limits))
    result = cli("run", "a")
    assert result.exit_code != 0
    [row] = read_rows(db_path)
    assert row["status"] == "timeout"
    assert row["response"] is None  # the pieces that came in are not the answer
    assert row["duration_ms"] < 5000  # the trickle takes 10 s: it was cut off, not waited for
