"""A deliberately misbehaving OpenAI chat-completions server on 127.0.0.1, for fault tests.

Each request pops the next behaviour from a queue (or uses `default`); a behaviour is a callable
`(server, request) -> None` that writes whatever it wants to the socket: a normal completion
(JSON or SSE stream), an HTTP error, garbage, a hang, a cut-off stream or a TCP reset.
Everything is bounded: hangs stop when the server stops, and the server runs in a daemon thread.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def prompt(self) -> str:
        return "\n".join(str(m.get("content") or "") for m in self.body.get("messages", []))

    @property
    def response_format(self) -> str:
        return (self.body.get("response_format") or {}).get("type", "prompt")


Behaviour = Callable[["Handler", Request], None]


def completion(text: str | None, finish_reason: str = "stop", *, tool_calls: list | None = None) -> dict:
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": "m",
            "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def chunk(delta: dict, finish_reason: str | None = None) -> dict:
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}


# -- behaviours ---------------------------------------------------------------------------------
def reply(text: str | Callable[[Request], str], finish_reason: str = "stop", *, pieces: int = 4,
          delay: float = 0.0) -> Behaviour:
    """A well-formed answer, as JSON or as an SSE stream depending on the request."""
    def run(h: "Handler", req: Request) -> None:
        body = text(req) if callable(text) else text
        if req.stream:
            words = body.split(" ")
            step = max(1, len(words) // pieces)
            parts = [" ".join(words[i:i + step]) + (" " if i + step < len(words) else "")
                     for i in range(0, len(words), step)]
            h.start_sse()
            h.sse(chunk({"role": "assistant", "content": ""}))
            for p in parts:
                if delay:
                    h.sleep(delay)
                h.sse(chunk({"content": p}))
            h.sse(chunk({}, finish_reason))
            h.sse_done()
        else:
            if delay:
                h.sleep(delay)
            h.send_json(200, completion(body, finish_reason))
    return run


def status(code: int, body: dict | str | None = None, headers: dict | None = None) -> Behaviour:
    def run(h: "Handler", req: Request) -> None:
        payload = body if body is not None else {"error": {"message": f"fake error {code}", "type": "server_error",
                                                           "code": code}}
        h.send_json(code, payload, headers)
    return run


def raw(code: int, data: bytes, content_type: str = "application/json") -> Behaviour:
    def run(h: "Handler", req: Request) -> None:
        h.send_response(code)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
    return run


def reset() -> Behaviour:
    """Close the TCP connection with RST before answering (a crashed or restarted server)."""
    def run(h: "Handler", req: Request) -> None:
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        h.connection.close()
    return run


def hang(seconds: float = 30.0) -> Behaviour:
    """Accept the request and say nothing (until the client gives up or the server stops)."""
    def run(h: "Handler", req: Request) -> None:
        h.sleep(seconds)
        h.close_connection = True
    return run


def stream_then_cut(text: str = "Let me think about your", then: str = "reset") -> Behaviour:
    """Start an SSE answer, then drop the connection (or send an error event) mid-stream."""
    def run(h: "Handler", req: Request) -> None:
        h.start_sse()
        h.sse(chunk({"role": "assistant", "content": ""}))
        for w in text.split(" "):
            h.sse(chunk({"content": w + " "}))
        if then == "error":
            h.sse({"error": {"message": "upstream model crashed", "type": "server_error"}})
        h.wfile.flush()
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        h.connection.close()
    return run


def tool_call_instead() -> Behaviour:
    """A server that answers with a tool call (no content) whatever was asked for."""
    def run(h: "Handler", req: Request) -> None:
        calls = [{"id": "call_1", "type": "function",
                  "function": {"name": "submit_grade", "arguments": '{"level": 3}'}}]
        if req.stream:
            h.start_sse()
            h.sse(chunk({"role": "assistant", "content": None, "tool_calls": [dict(index=0, **calls[0])]}))
            h.sse(chunk({}, "tool_calls"))
            h.sse_done()
        else:
            h.send_json(200, completion(None, "tool_calls", tool_calls=calls))
    return run


class Handler(BaseHTTPRequestHandler):
    server: "FakeOpenAI"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self.server.stopping.is_set():
            time.sleep(0.02)

    def send_json(self, code: int, payload: Any, headers: dict | None = None) -> None:
        data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def start_sse(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def sse(self, payload: dict) -> None:
        self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
        self.wfile.flush()

    def sse_done(self) -> None:
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self.send_json(200, {"object": "list", "data": [{"id": "m", "object": "model", "owned_by": "fake"}]})
        else:
            self.send_json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = {}
        req = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        behaviour = self.server.next_behaviour(req)
        try:
            behaviour(self, req)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client gave up first: that is what some tests are about


class FakeOpenAI(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, default: Behaviour | None = None):
        super().__init__(("127.0.0.1", 0), Handler)
        self.queue: list[Behaviour] = []
        self.default = default or reply("Fine. What would you measure first?")
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self.received = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def script(self, *behaviours: Behaviour) -> "FakeOpenAI":
        with self._lock:
            self.queue.extend(behaviours)
        return self

    def next_behaviour(self, req: Request) -> Behaviour:
        with self._lock:
            self.requests.append(req)
            self.received.set()
            return self.queue.pop(0) if self.queue else self.default

    @property
    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def __enter__(self) -> "FakeOpenAI":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)


def closed_port() -> int:
    """A loopback port with nothing listening (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
