"""A local OTLP/HTTP receiver for the tests: POST /v1/traces with protobuf bodies, decoded
with `opentelemetry-proto` into plain span dicts. `slow` holds every request until the test
ends (at most HOLD seconds; `held` counts them), as a collector that accepts connections and
never answers."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

HOLD = 600.0


def _value(v):
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [_value(x) for x in v.array_value.values]
    return getattr(v, kind) if kind else None


def _attributes(items) -> dict:
    return {kv.key: _value(kv.value) for kv in items}


class Receiver:
    def __init__(self, slow: bool = False):
        self.slow = slow
        self.spans: list[dict] = []
        self.requests: list[dict] = []  # path, headers and span count of each request
        self.release = threading.Event()
        self.held = 0  # requests not answered yet
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = {"path": self.path, "headers": dict(self.headers.items())}
                with receiver._lock:
                    receiver.requests.append(request)
                if receiver.slow:
                    with receiver._lock:
                        receiver.held += 1
                    receiver.release.wait(HOLD)
                    with receiver._lock:
                        receiver.held -= 1
                    return
                request["spans"] = receiver._decode(body)
                from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

                reply = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _decode(self, body: bytes) -> int:
        """Keep the spans of one request; how many it held."""
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

        request = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
        found = []
        for rs in request.resource_spans:
            resource = _attributes(rs.resource.attributes)
            for ss in rs.scope_spans:
                for s in ss.spans:
                    found.append({
                        "name": s.name, "trace_id": s.trace_id.hex(), "span_id": s.span_id.hex(),
                        "parent": s.parent_span_id.hex() or None, "kind": s.kind,
                        "start": s.start_time_unix_nano, "end": s.end_time_unix_nano,
                        "attributes": _attributes(s.attributes), "status": s.status.code,
                        "message": s.status.message, "resource": resource,
                        "scope": ss.scope.name})
        with self._lock:
            self.spans += found
        return len(found)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def otlp_receiver():
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def slow_receiver():
    with Receiver(slow=True) as receiver:
        yield receiver
