"""Providers by name, their options, precision, and the rate limiter (no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from routeopt.exceptions import GeocodeError, GeocoderConfigError
from routeopt.geocode import (
    Candidate,
    Geocoder,
    GeopyGeocoder,
    Throttled,
    default_user_agent,
    get_geocoder,
)
from routeopt.geocode._geopy import _precision


def test_any_geopy_provider_by_name() -> None:
    for name, opts in [("nominatim", {}), ("photon", {}), ("pelias", {"domain": "pelias.local"}),
                       ("googlev3", {"api_key": "k"}), ("bing", {"api_key": "k"}),
                       ("opencage", {"api_key": "k"}), ("baiduv3", {"api_key": "k"})]:
        g = get_geocoder(name, **opts)
        assert isinstance(g, Geocoder) and g.identity.startswith(name)


def test_identity_is_name_and_domain() -> None:
    assert get_geocoder("nominatim").identity == "nominatim@nominatim.openstreetmap.org"
    local = get_geocoder("nominatim", domain="127.0.0.1:8088", scheme="http")
    assert local.identity == "nominatim@127.0.0.1:8088"
    assert get_geocoder("photon", domain="photon.local:2322").identity == (
        "photon@photon.local:2322")


def test_usage_policies() -> None:
    assert get_geocoder("nominatim").min_delay == 1.0
    assert get_geocoder("nominatim", min_delay=0.1).min_delay == 1.0  # never faster
    assert get_geocoder("nominatim", min_delay=2.5).min_delay == 2.5
    assert get_geocoder("nominatim", domain="10.0.0.5:8080").min_delay == 0.0
    assert get_geocoder("nominatim", domain="10.0.0.5:8080", min_delay=0.2).min_delay == 0.2


def test_user_agent() -> None:
    g = GeopyGeocoder("nominatim")
    assert default_user_agent().startswith("routeopt/")
    assert g._geocoder.headers["User-Agent"] == default_user_agent()
    mine = GeopyGeocoder("nominatim", user_agent="acme-field-sales/2.0 (it@acme.example)")
    assert mine._geocoder.headers["User-Agent"] == "acme-field-sales/2.0 (it@acme.example)"


def test_baidu_answers_are_bd09_and_can_be_declared() -> None:
    assert get_geocoder("baiduv3", api_key="k").crs == "bd09"
    assert get_geocoder("nominatim").crs == "wgs84"
    assert get_geocoder("pelias", domain="amap-proxy.local", crs="GCJ-02").crs == "gcj02"


def test_config_errors_say_what_to_do() -> None:
    with pytest.raises(GeocoderConfigError, match=r"unknown geocoder 'nominatimm'; use one of "
                                                  r".*nominatim"):
        get_geocoder("nominatimm")
    with pytest.raises(GeocoderConfigError, match=r"'nominatim' does not take api_kee; it takes:"):
        get_geocoder("nominatim", api_kee="x")
    with pytest.raises(GeocoderConfigError, match="has no query option colour"):
        get_geocoder("nominatim", query_options={"colour": "red"})
    with pytest.raises(GeocoderConfigError, match="googlev3"):
        get_geocoder("googlev3")  # needs an api_key
    with pytest.raises(GeocoderConfigError, match=r"cannot load geocoder 'nowhere\.mod:make'"):
        get_geocoder("nowhere.mod:make")
    with pytest.raises(ValueError):  # GeocoderConfigError is a ValueError
        get_geocoder("nope")


def test_custom_geocoder_by_module_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "acme_geo.py").write_text(
        "from routeopt.geocode import Candidate\n"
        "class Acme:\n"
        "    crs = 'gcj02'\n"
        "    def __init__(self, region): self.identity = f'acme@{region}'\n"
        "    def lookup(self, address): return [Candidate(31.1753, 121.5315)]\n"
        "def make(region='cn'): return Acme(region)\n"
        "def bad(): return object()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    g = get_geocoder("acme_geo:make", region="sh")
    assert g.identity == "acme@sh" and g.crs == "gcj02" and g.min_delay == 0
    with pytest.raises(GeocoderConfigError, match="is not a Geocoder"):
        get_geocoder("acme_geo:bad")


@pytest.mark.parametrize(("raw", "expected"), [
    ({"class": "shop", "type": "chemist", "place_rank": 30, "addresstype": "shop"},
     ("rooftop", "shop/chemist")),
    ({"class": "place", "type": "house", "place_rank": 28}, ("rooftop", "place/house")),
    ({"class": "highway", "type": "residential", "place_rank": 26},
     ("street", "highway/residential")),
    ({"class": "place", "type": "suburb", "place_rank": 19}, ("locality", "place/suburb")),
    ({"class": "boundary", "type": "administrative", "place_rank": 16},
     ("locality", "boundary/administrative")),
    ({"class": "boundary", "type": "administrative", "place_rank": 8},
     ("region", "boundary/administrative")),
    ({"class": "boundary", "type": "administrative", "place_rank": 4},
     ("country", "boundary/administrative")),
    ({"class": "place", "type": "postcode", "place_rank": 21}, ("postcode", "place/postcode")),
    ({"properties": {"type": "house", "osm_key": "building", "osm_value": "yes"}},
     ("rooftop", "building/yes")),
    ({"properties": {"type": "street"}}, ("street", "street")),
    ({"properties": {"layer": "locality"}}, ("locality", "locality")),
    ({"geometry": {"location_type": "ROOFTOP"}, "types": ["street_address"]},
     ("rooftop", "street_address")),
    ({"geometry": {"location_type": "APPROXIMATE"}, "types": ["locality", "political"]},
     ("locality", "locality,political")),
    ({}, ("unknown", "")),
])
def test_precision_vocabulary(raw: dict[str, Any], expected: tuple[str, str]) -> None:
    assert _precision("any", raw) == expected


class Script:
    """A geocoder that raises the given errors, then answers."""

    identity, crs = "script", "wgs84"

    def __init__(self, *errors: GeocodeError) -> None:
        self.errors = list(errors)
        self.calls = 0

    def lookup(self, address: str) -> list[Candidate]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return [Candidate(1.0, 2.0)]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def sleep(self, s: float) -> None:
        self.slept.append(round(s, 6))
        self.now += s

    def __call__(self) -> float:
        return self.now


def test_min_delay_spaces_requests() -> None:
    clock = FakeClock()
    g = Throttled(Script(), min_delay=1.0, sleep=clock.sleep, clock=clock)
    g.lookup("a")
    clock.now += 0.3  # the caller spent 0.3 s between two lookups
    g.lookup("b")
    g.lookup("c")
    assert clock.slept == [0.7, 1.0]


def test_backoff_doubles_up_to_the_cap() -> None:
    clock = FakeClock()
    errors = [GeocodeError("timed out", retryable=True) for _ in range(5)]
    g = Throttled(Script(*errors), max_retries=5, backoff=1.0, max_backoff=5.0,
                  sleep=clock.sleep, clock=clock)
    assert g.lookup("a") == [Candidate(1.0, 2.0)]
    assert clock.slept == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_retry_after_wins_over_backoff() -> None:
    clock = FakeClock()
    g = Throttled(Script(GeocodeError("429", retryable=True, retry_after=12)),
                  sleep=clock.sleep, clock=clock)
    g.lookup("a")
    assert clock.slept == [12.0]


def test_permanent_errors_are_not_retried() -> None:
    inner = Script(GeocodeError("refused (HTTP 403)"))
    with pytest.raises(GeocodeError, match="403"):
        Throttled(inner, sleep=lambda s: None).lookup("a")
    assert inner.calls == 1


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = ("import sys, routeopt.geocode; heavy = [m for m in ('geopy', 'pandas', 'tqdm', "
            "'prcoords') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
