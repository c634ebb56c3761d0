"""A webhook callback on 127.0.0.1 for tests: answers the statuses it is given in turn (then 200), keeps each POST."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Posted:
    at: float
    body: bytes
    headers: dict[str, str]


@dataclass
class Receiver:
    url: str
    answers: list[int] = field(default_factory=list)
    posts: list[Posted] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[Posted]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.posts) >= count, timeout=timeout_s), self.posts
            return list(self.posts)

    def envelopes(self) -> list[dict[str, Any]]:
        return [json.loads(post.body) for post in self.posts]


def signed_with(post: Posted, secret: str) -> bool:
    """Whether the POST carries Meta's signature of its raw body with `secret`."""
    expected = "sha256=" + hmac.new(secret.encode(), post.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(post.headers["x-hub-signature-256"], expected)


@contextmanager
def receiving(path: str = "/webhooks/whatsapp") -> Iterator[Receiver]:
    found = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with found.arrived:
                status = found.answers.pop(0) if found.answers else 200
                found.posts.append(Posted(time.monotonic(), body, {k.lower(): v for k, v in self.headers.items()}))
                found.arrived.notify_all()
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    found.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()
