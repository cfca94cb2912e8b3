"""A small local HTTP server that speaks OSRM's table API, for fault paths and request counts.

The real engine (``osrm-routed``, via ``require_server("ROUTEOPT_TEST_OSRM", ...)``)
covers the happy paths; this one answers what a real server rarely does on cue:
errors, garbage, ``null`` durations, slowness. By default it answers a valid
table computed from great-circle distances (1 s per 10 m), so that it can
stand behind a cache.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from routeopt.matrix import haversine_m


def table_answer(path: str) -> dict[str, Any]:
    """A valid OSRM table answer for the request ``path`` (honours sources/destinations)."""
    parts = urllib.parse.urlsplit(path)
    coords = [tuple(map(float, c.split(","))) for c in parts.path.split("/")[-1].split(";")]
    q = urllib.parse.parse_qs(parts.query)
    src = [int(i) for i in q["sources"][0].split(";")] if "sources" in q else range(len(coords))
    dst = ([int(i) for i in q["destinations"][0].split(";")] if "destinations" in q
           else range(len(coords)))
    d = haversine_m([c[1] for c in coords], [c[0] for c in coords])
    wp = [{"location": list(c), "distance": 3.5, "name": "x"} for c in coords]
    return {"code": "Ok",
            "durations": [[round(d[i, j] / 10, 1) for j in dst] for i in src],
            "distances": [[round(d[i, j], 1) for j in dst] for i in src],
            "sources": [wp[i] for i in src], "destinations": [wp[j] for j in dst]}


@dataclass
class FakeOSRM:
    """``url`` of the server; ``paths`` it was asked; set ``reply(path) -> (status, body)``."""

    url: str
    paths: list[str] = field(default_factory=list)
    reply: Callable[[str], tuple[int, bytes]] = field(
        default=lambda path: (200, json.dumps(table_answer(path)).encode()))
    delay: float = 0.0


@pytest.fixture
def fake_osrm() -> Iterator[FakeOSRM]:
    """A local OSRM look-alike on 127.0.0.1 (a free port), stopped after the test."""
    state: FakeOSRM

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.paths.append(self.path)
            if state.delay:
                time.sleep(state.delay)
            status, body = state.reply(self.path)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (a timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state = FakeOSRM(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def osrm_table() -> Callable[[str], dict[str, Any]]:
    """``osrm_table(path)``: the look-alike's valid answer to a request path, to edit."""
    return table_answer


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
