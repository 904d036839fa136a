"""A real SMS/WeChat gateway for tests: an HTTP server on 127.0.0.1 that records what is posted to it, can answer
503 a number of times, and can be slow."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.conf import settings


class LocalGateway:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.failures = 0
        self.received: list[dict[str, Any]] = []
        self.url = ""

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                time.sleep(gateway.delay)
                if gateway.failures:
                    gateway.failures -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                gateway.received.append(body)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(f"msg-{len(gateway.received)}".encode())

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    @contextmanager
    def running(self) -> Iterator[LocalGateway]:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        self.url = f"http://127.0.0.1:{server.server_port}/send"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()

    def channels(self, name: str = "sms") -> dict[str, dict[str, Any]]:
        """The configured ``NOTIFICATION_CHANNELS`` with channel ``name`` sent to this gateway."""
        return {
            **settings.NOTIFICATION_CHANNELS,
            name: {"adapter": "notifications.channels.GatewayChannel", "url": self.url},
        }
