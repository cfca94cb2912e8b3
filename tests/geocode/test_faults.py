"""Fault paths through geopy's real Nominatim client against a small local server (conftest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from routeopt.exceptions import GeocoderUnavailableError
from routeopt.geocode import (
    GeocodeCache,
    GeopyGeocoder,
    Throttled,
    geocode_table,
    resolve,
)

PALAIS = (43.7312, 7.4200)


@pytest.fixture(params=["requests", "urllib"])
def adapter(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with each of geopy's HTTP adapters (requests is not always installed)."""
    from geopy.adapters import RequestsAdapter

    if request.param == "urllib":
        monkeypatch.setattr(RequestsAdapter, "is_available", False)
    elif not RequestsAdapter.is_available:
        pytest.skip("requests is not installed")
    return str(request.param)


def client(server: Any, *, timeout: float = 2.0, max_retries: int = 3,
           sleeps: list[float] | None = None) -> Throttled:
    """geopy's Nominatim on the fake server; waits are recorded in ``sleeps``, not slept."""
    record = sleeps if sleeps is not None else []
    g = GeopyGeocoder("nominatim", domain=server.domain, scheme="http", timeout=timeout)
    return Throttled(g, max_retries=max_retries, backoff=0.5, sleep=record.append)


def test_found_sends_routeopt_user_agent(fake_nominatim: Any) -> None:
    fake_nominatim.script("Place du Palais", ("json", [fake_nominatim.place(*PALAIS, "Palais")]))
    r = resolve(client(fake_nominatim), "Place du Palais")
    assert (r.status, r.lat, r.lon, r.address, r.precision) == ("ok", *PALAIS, "Palais",
                                                                 "rooftop")
    assert r.provider == f"nominatim@{fake_nominatim.domain}"
    assert fake_nominatim.user_agents[0].startswith("routeopt/")


def test_not_found_is_not_retried(fake_nominatim: Any) -> None:
    sleeps: list[float] = []
    r = resolve(client(fake_nominatim, sleeps=sleeps), "Nowhere at all")
    assert r.status == "not_found" and r.lat is None
    assert fake_nominatim.requests["Nowhere at all"] == 1 and sleeps == []


def test_timeout_then_success(fake_nominatim: Any, adapter: str) -> None:
    fake_nominatim.script("Slow", ("sleep", 1.0, ("json", [])),
                          ("json", [fake_nominatim.place(*PALAIS)]))
    sleeps: list[float] = []
    r = resolve(client(fake_nominatim, timeout=0.25, sleeps=sleeps), "Slow")
    assert r.status == "ok"
    assert fake_nominatim.requests["Slow"] == 2
    assert sleeps == [0.5]  # the first backoff


def test_timeouts_exhaust_retries_into_an_error(fake_nominatim: Any) -> None:
    fake_nominatim.script("Slow", ("sleep", 1.0, ("json", [])))
    sleeps: list[float] = []
    r = resolve(client(fake_nominatim, timeout=0.2, max_retries=2, sleeps=sleeps), "Slow")
    assert r.status == "error"
    assert "timed out" in r.message and "after 3 attempts" in r.message
    assert sleeps == [0.5, 1.0]  # exponential backoff


def test_429_honours_retry_after(fake_nominatim: Any, adapter: str) -> None:
    fake_nominatim.script("Busy", ("status", 429, {"Retry-After": "7"}),
                          ("json", [fake_nominatim.place(*PALAIS)]))
    sleeps: list[float] = []
    r = resolve(client(fake_nominatim, sleeps=sleeps), "Busy")
    assert r.status == "ok" and sleeps == [7.0]
    assert fake_nominatim.requests["Busy"] == 2


def test_429_with_a_long_retry_after_gives_up_with_advice(fake_nominatim: Any) -> None:
    fake_nominatim.script("Busy", ("status", 429, {"Retry-After": "3600"}))
    sleeps: list[float] = []
    r = resolve(client(fake_nominatim, sleeps=sleeps), "Busy")
    assert r.status == "error" and "try again later" in r.message and sleeps == []


@pytest.mark.parametrize("code", [500, 502, 503])
def test_5xx_is_retried_then_succeeds(fake_nominatim: Any, code: int, adapter: str) -> None:
    fake_nominatim.script("Flaky", ("status", code), ("status", code),
                          ("json", [fake_nominatim.place(*PALAIS)]))
    sleeps: list[float] = []
    r = resolve(client(fake_nominatim, sleeps=sleeps), "Flaky")
    assert r.status == "ok" and sleeps == [0.5, 1.0]
    assert fake_nominatim.requests["Flaky"] == 3


def test_persistent_5xx_is_an_error_naming_the_status(fake_nominatim: Any) -> None:
    fake_nominatim.script("Down", ("status", 500))
    r = resolve(client(fake_nominatim, max_retries=1), "Down")
    assert r.status == "error" and "HTTP 500" in r.message
    assert fake_nominatim.requests["Down"] == 2


def test_client_error_is_not_retried(fake_nominatim: Any) -> None:
    fake_nominatim.script("Bad", ("status", 400))
    r = resolve(client(fake_nominatim), "Bad")
    assert r.status == "error" and "HTTP 400" in r.message
    assert fake_nominatim.requests["Bad"] == 1


def test_malformed_json_is_an_error(fake_nominatim: Any, adapter: str) -> None:
    fake_nominatim.script("Html", ("raw", b"<html>proxy error</html>"))
    r = resolve(client(fake_nominatim), "Html")
    assert r.status == "error" and "could not be read" in r.message
    assert fake_nominatim.requests["Html"] == 1


def closed_port() -> int:
    """A port on 127.0.0.1 that nobody listens on (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_no_server_fails_fast_and_is_not_retried(adapter: str) -> None:
    sleeps: list[float] = []
    port = closed_port()
    g = Throttled(GeopyGeocoder("nominatim", domain=f"127.0.0.1:{port}", scheme="http",
                                timeout=1), max_retries=3, sleep=sleeps.append)
    with pytest.raises(GeocoderUnavailableError,
                       match=rf"cannot reach the geocoder at http://127\.0\.0\.1:{port}: "
                             r"connection refused; check the server's address"):
        resolve(g, "Anything")
    assert g.requests == 1 and sleeps == []  # one attempt, no backoff
    assert issubclass(GeocoderUnavailableError, ConnectionError)


def test_no_server_stops_the_table_and_keeps_the_cache(tmp_path: Path) -> None:
    port = closed_port()
    g = Throttled(GeopyGeocoder("nominatim", domain=f"127.0.0.1:{port}", scheme="http",
                                timeout=1), sleep=lambda s: None)
    out = tmp_path / "out.csv"
    with GeocodeCache(tmp_path / "c.sqlite") as cache:
        from routeopt.geocode import Result

        cache.put(g.identity, "Known", Result("ok", 43.73, 7.42, "Known"))
        frame = pd.DataFrame({"address": ["Known", "New 1", "New 2", "New 3"]})
        with pytest.raises(GeocoderUnavailableError):
            geocode_table(frame, g, cache=cache, out=out, progress=False)
        assert g.requests == 1  # the first new address; the others are not tried
        assert cache.get(g.identity, "Known") is not None and len(cache) == 1
    assert not out.exists()


def test_the_cause_of_a_failure_is_found_under_the_wrappers() -> None:
    import socket
    import urllib.error

    from geopy.exc import GeocoderServiceError, GeocoderUnavailable

    from routeopt.geocode._geopy import _map_error

    def raised(outer: Exception, inner: BaseException) -> Exception:
        try:
            try:
                raise inner
            except BaseException as e:
                raise outer from e
        except Exception as e:
            return e

    dns = raised(GeocoderServiceError("[Errno -2] Name or service not known"),
                 urllib.error.URLError(socket.gaierror(-2, "Name or service not known")))
    assert isinstance(_map_error(dns, "http://geo.example"), GeocoderUnavailableError)
    assert "unknown host" in str(_map_error(dns, "http://geo.example"))
    reset = raised(GeocoderUnavailable("reset"), ConnectionResetError(104, "reset by peer"))
    lost = _map_error(reset)  # a lost connection may pass: retried, as before
    assert not isinstance(lost, GeocoderUnavailableError) and lost.retryable


def test_ambiguous_when_candidates_are_far_apart(fake_nominatim: Any) -> None:
    fake_nominatim.script("Rue Grimaldi", ("json", [
        fake_nominatim.place(43.7316, 7.4197, "Rue Grimaldi, Monaco", rank=27),
        fake_nominatim.place(43.7750, 7.4970, "Rue Grimaldi, Menton", rank=27)]))
    fake_nominatim.script("Boulevard des Moulins", ("json", [
        fake_nominatim.place(43.7440, 7.4260, rank=26),
        fake_nominatim.place(43.7460, 7.4300, rank=26)]))
    g = client(fake_nominatim)
    amb = resolve(g, "Rue Grimaldi")
    assert amb.status == "ambiguous" and amb.matches == 2 and amb.spread_m > 5000
    assert "make the address more precise" in amb.message and amb.precision == "street"
    near = resolve(g, "Boulevard des Moulins")  # one street in two pieces, 380 m apart
    assert near.status == "ok" and near.matches == 2
    assert resolve(g, "Boulevard des Moulins", ambiguity_m=100).status == "ambiguous"


def test_batch_keeps_every_row_when_some_fail(fake_nominatim: Any, tmp_path: Path) -> None:
    ok = fake_nominatim.place(*PALAIS, "Palais")
    fake_nominatim.script("A ok", ("json", [ok]))
    fake_nominatim.script("B down", ("status", 500))
    fake_nominatim.script("C html", ("raw", b"nope"))
    fake_nominatim.script("E ok", ("json", [ok]))
    src = tmp_path / "outlets.csv"
    src.write_text("outlet_id,address,lat,lon\n"
                   "1,A ok,,\n2,B down,,\n3,C html,,\n4,D missing,,\n5,E ok,,\n"
                   "6,,43.74,7.43\n7,,,\n8,A ok,,\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    cache = GeocodeCache(tmp_path / "cache.sqlite")
    report = geocode_table(src, client(fake_nominatim, max_retries=1), cache=cache, out=out,
                           progress=False)
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(got["geocode_status"]) == ["ok", "error", "error", "not_found", "ok", "given",
                                           "no_address", "ok"]
    assert report.counts == {"ok": 3, "error": 2, "not_found": 1, "given": 1, "no_address": 1}
    assert got.loc[0, "lat"] == "43.7312" and got.loc[5, "lat"] == "43.74"
    assert got.loc[1, "lat"] == "" and "HTTP 500" in got.loc[1, "geocode_message"]
    assert fake_nominatim.requests["A ok"] == 1  # the same address twice: asked once
    # The answers are cached, the errors are not: a second run asks only for those.
    report2 = geocode_table(src, client(fake_nominatim, max_retries=0), cache=cache,
                            progress=False)
    assert report2.requests == 2
    assert fake_nominatim.requests["A ok"] == 1 and fake_nominatim.requests["D missing"] == 1
    assert fake_nominatim.requests["B down"] == 3
    cache.close()


def test_a_dead_service_stops_being_asked(fake_nominatim: Any) -> None:
    from routeopt.geocode._batch import MAX_CONSECUTIVE_ERRORS

    fake_nominatim.script("", ("status", 500))
    addresses = [f"Street {i}" for i in range(MAX_CONSECUTIVE_ERRORS + 5)]
    for a in addresses:
        fake_nominatim.script(a, ("status", 500))
    df = pd.DataFrame({"address": addresses})
    report = geocode_table(df, client(fake_nominatim, max_retries=0), progress=False)
    assert report.counts == {"error": len(addresses)}
    assert sum(fake_nominatim.requests.values()) == MAX_CONSECUTIVE_ERRORS
    assert "failed 10 times in a row" in report.frame["geocode_message"].iloc[-1]
