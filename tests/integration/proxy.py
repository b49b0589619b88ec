"""A stand-in for a sign-in proxy (oauth2-proxy and the like) on loopback, for the served-app tests.

It forwards every connection to the app, WebSockets included, after removing any user header the
client sent and setting it to the user it signed in. Each plain HTTP request gets its own
connection (`Connection: close`), so every request passes through the rewrite.
"""

from __future__ import annotations

import select
import socket
import socketserver
import threading

HEAD_LIMIT = 65536


def rewrite_head(head: bytes, header: str, user: str | None) -> bytes:
    lines = head.decode("latin-1").split("\r\n")
    request, fields = lines[0], [line for line in lines[1:] if line]
    upgrade = any(f.lower().startswith("upgrade:") for f in fields)
    drop = {header.lower()} | (set() if upgrade else {"connection", "keep-alive"})
    kept = [f for f in fields if f.split(":", 1)[0].strip().lower() not in drop]
    if user:
        kept.append(f"{header}: {user}")
    if not upgrade:
        kept.append("Connection: close")
    return ("\r\n".join([request, *kept]) + "\r\n\r\n").encode("latin-1")


class SignInProxy:
    def __init__(self, upstream_port: int, header: str, user: str | None):
        self.upstream, self.header, self.user = ("127.0.0.1", upstream_port), header, user
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                proxy.serve(self.request)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, client: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < HEAD_LIMIT:
            chunk = client.recv(4096)
            if not chunk:
                return
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        with socket.create_connection(self.upstream, timeout=30) as upstream:
            upstream.sendall(rewrite_head(head, self.header, self.user) + rest)
            pipe(client, upstream)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def pipe(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    peers = {a: b, b: a}
    while True:
        ready, _, _ = select.select(list(peers), [], [], 300)
        if not ready:
            return
        for sock in ready:
            try:
                chunk = sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            peers[sock].sendall(chunk)
