"""Batch concurrency: agentlog's batch runner against bare litellm loops, same fake server.

    python bench/batch_concurrency.py [--rows 200] [--jobs 20] [--latency 0.1]
    python bench/batch_concurrency.py --mock --rows 1000 --jobs 8   # litellm's mock_response

Each line is the best of --repeat runs, after one warm-up run (the first calls of a process
pay for client set-up). Offline: the fake OpenAI-compatible server of tests/ on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_LOG", "ERROR")


def best(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.monotonic()
        fn()
        times.append(time.monotonic() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mock", action="store_true",
                        help="litellm's mock_response instead of the fake server: no HTTP, "
                             "what is left is litellm's own cost and agentlog's")
    args = parser.parse_args()

    from fakeserver import FakeServer

    from agentlog import config, store
    from agentlog.runner import batch
    from agentlog.runner.execute import RunRequest
    from agentlog.runner.llm import litellm

    work = tempfile.mkdtemp()
    agents = Path(work, "agents.yaml")
    server = None
    if args.mock:
        args.latency = 0.0
        kwargs = {"model": "gpt-4o-mini", "mock_response": "ok",
                  "messages": [{"role": "user", "content": "hi"}]}
        endpoint = "mock_response: ok"
    else:
        server = FakeServer().start()
        base = server.base(f"slow-{args.latency:g}")
        kwargs = {"model": "openai/gpt-4o-mini", "api_base": base, "api_key": "fake-key",
                  "messages": [{"role": "user", "content": "hi"}], "max_retries": 0,
                  "timeout": 30}
        endpoint = f"api_base: '{base}', api_key: fake-key"
    agents.write_text(f"agents:\n  a: {{model: {kwargs['model']}, {endpoint}, "
                      "prompt: 'row {{ n }}', params: {n: {}}}\n")
    cfg = config.load(str(agents))
    rows = [batch.Row(i + 1, {"n": i}) for i in range(args.rows)]

    def threads() -> None:
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(lambda _: litellm.completion(**kwargs), range(args.rows)))

    def asyncio_loop() -> None:
        async def go() -> None:
            gate = asyncio.Semaphore(args.jobs)

            async def one() -> None:
                async with gate:
                    await litellm.acompletion(**kwargs)

            await asyncio.gather(*(one() for _ in range(args.rows)))

        asyncio.run(go())

    def agentlog_batch() -> None:
        with store.open(Path(work, "log.db")) as log:
            summary = batch.run(cfg, RunRequest("a"), rows, log, jobs=args.jobs)
        assert summary.success == args.rows, summary.to_dict()

    floor = args.rows / args.jobs * args.latency
    print(f"{args.rows} rows, {args.latency * 1000:.0f} ms each, -j {args.jobs} "
          f"(waiting alone: {floor:.2f} s; serial: {args.rows * args.latency:.1f} s)")
    for name, fn in (("bare litellm, threads", threads), ("bare litellm, asyncio", asyncio_loop),
                     ("agentlog batch", agentlog_batch)):
        print(f"  {name:24} {best(fn, args.repeat):6.2f} s")
    if server:
        server.stop()


if __name__ == "__main__":
    main()
