"""Downloads streamed by the Log's own export (CSV, JSON, JSONL), in constant memory: the
export writes from a thread into a bounded queue that the response drains."""

from __future__ import annotations

import contextlib
import io
import queue
import threading

from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from agentlog.errors import NotFoundError

TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
         "jsonl": "application/x-ndjson"}
CHUNK = 1 << 16
STALL_S = 60.0  # a reader that takes nothing for this long ends the export


class _Pipe(io.RawIOBase):
    def __init__(self, chunks: queue.Queue):
        self.chunks = chunks

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.put(bytes(data), timeout=STALL_S)
        return len(data)


def stream(log, query, fmt: str) -> StreamingResponse:
    from agentlog.store import EXPORT_FORMATS

    if fmt not in EXPORT_FORMATS:
        raise NotFoundError(f"no export format '{fmt}' (choose from: "
                            f"{', '.join(EXPORT_FORMATS)})")
    columns = log.columns(None)
    chunks: queue.Queue = queue.Queue(maxsize=16)

    def produce() -> None:
        out = io.BufferedWriter(_Pipe(chunks), CHUNK)
        try:
            log.export(query, fmt, out, columns)
            out.flush()
        except queue.Full:  # the reader went away
            pass
        finally:
            with contextlib.suppress(queue.Full):
                chunks.put(None, timeout=STALL_S)

    async def body():
        threading.Thread(target=produce, daemon=True, name="agentlog-export").start()
        while (chunk := await run_in_threadpool(chunks.get, True, STALL_S)) is not None:
            yield chunk

    return StreamingResponse(body(), media_type=TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="executions.{fmt}"'})
