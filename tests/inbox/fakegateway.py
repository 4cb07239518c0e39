"""A local fake of the SMS gateway and the WeCom/DingTalk robots: a tiny HTTP server in a thread
that records each request and answers from a script (status, JSON, delay)."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode())


class FakeGateway:
    def __init__(self, ok: Any) -> None:
        self.ok = ok  # the answer once the script is used up
        self.script: list[tuple[int, Any, float]] = []
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urllib.parse.urlsplit(self.path)
                with fake.lock:
                    fake.seen.append(
                        Seen(
                            self.command,
                            parts.path,
                            dict(urllib.parse.parse_qsl(parts.query)),
                            body,
                        )
                    )
                    status, answer, delay = fake.script.pop(0) if fake.script else (200, fake.ok, 0)
                time.sleep(delay)
                raw = json.dumps(answer).encode() if not isinstance(answer, bytes) else answer
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except OSError:
                    pass  # the client gave up (the timeout test)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def then(self, status: int, answer: Any, delay: float = 0) -> FakeGateway:
        self.script.append((status, answer, delay))
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
