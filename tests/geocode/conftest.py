"""A small HTTP server on 127.0.0.1 that speaks Nominatim's ``/search`` JSON API, for fault paths.

Each query ``q`` gets a script: a list of answers used one per request (the
last one repeats). An answer is one of::

    ("json", [places])            200 with the JSON list (empty: not found)
    ("status", 429, {"Retry-After": "2"})   an HTTP error with headers
    ("sleep", 0.5, answer)        wait, then give ``answer`` (a timeout for a quicker client)
    ("raw", b"<html>")            200 with a body that is not JSON

Queries without a script are not found. ``server.requests[q]`` counts requests.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


def place(lat: float, lon: float, name: str = "", *, rank: int = 30, cls: str = "shop",
          typ: str = "chemist") -> dict[str, Any]:
    """One Nominatim ``format=json`` result."""
    return {"place_id": 1, "lat": f"{lat:.7f}", "lon": f"{lon:.7f}", "class": cls, "type": typ,
            "place_rank": rank, "addresstype": cls, "importance": 0.1,
            "display_name": name or f"{lat},{lon}"}


class FakeNominatim:
    place = staticmethod(place)

    def __init__(self) -> None:
        self.scripts: dict[str, list[Any]] = {}
        self.requests: Counter[str] = Counter()
        self.user_agents: list[str] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                q = parse_qs(url.query).get("q", [""])[0]
                with fake.lock:
                    fake.requests[q] += 1
                    fake.user_agents.append(self.headers.get("User-Agent", ""))
                    script = fake.scripts.get(q, [("json", [])])
                    answer = script.pop(0) if len(script) > 1 else script[0]
                self.answer(answer)

            def answer(self, answer: Any) -> None:
                kind = answer[0]
                try:
                    if kind == "sleep":
                        time.sleep(answer[1])
                        self.answer(answer[2])
                    elif kind == "json":
                        self.send(200, json.dumps(answer[1]).encode())
                    elif kind == "raw":
                        self.send(200, answer[1])
                    elif kind == "status":
                        headers = answer[2] if len(answer) > 2 else {}
                        self.send(answer[1], b'{"error": "fault"}', headers)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.domain = f"127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def script(self, q: str, *answers: Any) -> None:
        self.scripts[q] = list(answers)


@pytest.fixture
def fake_nominatim() -> Iterator[FakeNominatim]:
    """A fake Nominatim on 127.0.0.1 (a free port), stopped after the test."""
    server = FakeNominatim()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
