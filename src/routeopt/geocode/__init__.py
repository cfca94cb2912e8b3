"""Geocoding: outlet addresses to WGS-84 coordinates.

The parts compose::

    get_geocoder("nominatim", domain=...)   ->  Throttled(GeopyGeocoder(...))
         any Geocoder (lookup, identity, crs)      rate limit + retries with backoff
    resolve(geocoder, address, cache=...)    ->  Result   (GCJ-02 / BD-09 -> WGS-84)
    geocode_table(df or CSV, geocoder, cache=...)   ->  GeocodeReport (status per row)
    GeocodeCache(path)                       SQLite (WAL), one commit per answer

Errors (all in :mod:`routeopt.exceptions`)::

    RouteOptError
     ├── GeocodeError (RuntimeError)        a lookup failed (retryable: timeout, 429, 5xx)
     │    └── GeocoderUnavailableError (ConnectionError)  no server: refused, unknown host
     ├── GeocoderConfigError (ValueError)   unknown provider or option
     └── GeocodeCacheError (OSError)        cache locked, damaged or not ours

See ``docs/geocoding.md``. Importing this package is light: geopy, pandas,
tqdm and prcoords are imported when first used.

Examples
--------
>>> from routeopt.geocode import get_geocoder
>>> g = get_geocoder("nominatim", domain="127.0.0.1:8088", scheme="http")
>>> g.identity, g.min_delay
('nominatim@127.0.0.1:8088', 0.0)
>>> get_geocoder("nominatim").min_delay   # the public server: its usage policy
1.0
"""

from __future__ import annotations

import importlib
import logging
from typing import Any, Final

from routeopt.exceptions import (
    GeocodeCacheError,
    GeocodeError,
    GeocoderConfigError,
    GeocoderUnavailableError,
)
from routeopt.geocode._base import (
    PRECISIONS,
    STATUSES,
    Candidate,
    Geocoder,
    Result,
    normalise_address,
)
from routeopt.geocode._batch import (
    AMBIGUITY_M,
    OUTPUT_COLUMNS,
    GeocodeReport,
    geocode_table,
    locate,
    resolve,
)
from routeopt.geocode._cache import GeocodeCache, default_cache_path
from routeopt.geocode._crs import CRS_NAMES, from_wgs84, parse_crs, to_wgs84
from routeopt.geocode._geopy import PUBLIC_NOMINATIM, GeopyGeocoder, default_user_agent
from routeopt.geocode._throttle import Throttled

__all__ = [
    "AMBIGUITY_M",
    "CRS_NAMES",
    "OUTPUT_COLUMNS",
    "PRECISIONS",
    "PUBLIC_DELAYS",
    "STATUSES",
    "Candidate",
    "GeocodeCache",
    "GeocodeCacheError",
    "GeocodeError",
    "GeocodeReport",
    "Geocoder",
    "GeocoderConfigError",
    "GeocoderUnavailableError",
    "GeopyGeocoder",
    "Result",
    "Throttled",
    "default_cache_path",
    "default_user_agent",
    "from_wgs84",
    "geocode_table",
    "get_geocoder",
    "locate",
    "normalise_address",
    "parse_crs",
    "resolve",
    "to_wgs84",
]

log = logging.getLogger(__name__)

#: Least seconds between requests that public services' usage policies ask for.
PUBLIC_DELAYS: Final = {
    "nominatim@" + PUBLIC_NOMINATIM: 1.0,  # operations.osmfoundation.org/policies/nominatim
    "photon@photon.komoot.io": 1.0,  # a fair-use public demo server
}


def get_geocoder(name: str = "nominatim", *, domain: str | None = None,
                 scheme: str | None = None, user_agent: str | None = None,
                 timeout: float = 10.0, min_delay: float | None = None, max_retries: int = 3,
                 backoff: float = 1.0, crs: str | None = None,
                 query_options: dict[str, Any] | None = None, **options: Any) -> Throttled:
    """A geocoder by name, with rate limiting and retries.

    Parameters
    ----------
    name
        A geopy service name (``nominatim`` by default; ``photon``, ``pelias``,
        ``googlev3``, ``bing``, ``here``, ``opencage``, ``baiduv3``... see
        :class:`GeopyGeocoder`), or ``module:factory`` for a geocoder of your
        own: ``factory(**options)`` must return a :class:`Geocoder`.
    domain, scheme
        The server of a self-hosted Nominatim, Photon or Pelias
        (``"127.0.0.1:8088"``, ``"http"``).
    user_agent
        ``routeopt/<version>`` by default.
    timeout
        Seconds per request.
    min_delay
        Least seconds between requests. Default: 1.0 for the public Nominatim
        and Photon servers (their usage policies), 0 otherwise (your own
        server; paid services answer 429 when you go too fast, and 429 is
        retried). For the public Nominatim a smaller value is raised to 1.0.
    max_retries, backoff
        See :class:`Throttled`.
    crs
        The coordinate system of the answers (``wgs84``, ``gcj02``, ``bd09``);
        by default ``bd09`` for Baidu, ``wgs84`` for the others.
    query_options
        Extra arguments of each query (``{"country_codes": "mc"}`` for Nominatim).
    **options
        Options of the geopy class (``api_key``...) or of your factory.

    Raises
    ------
    GeocoderConfigError
        For an unknown name or option.
    """
    inner: Geocoder
    if ":" in name and not name.lower().startswith(("http:", "https:")):
        inner = _custom(name, options)
    else:
        inner = GeopyGeocoder(name, domain=domain, scheme=scheme, user_agent=user_agent,
                              timeout=timeout, crs=crs, query_options=query_options, **options)
    floor = PUBLIC_DELAYS.get(inner.identity.lower(), 0.0)
    delay = floor if min_delay is None else min_delay
    if delay < floor:
        log.warning("%s allows at most one request every %g s; using that instead of %g s",
                    inner.identity, floor, delay)
        delay = floor
    return Throttled(inner, min_delay=delay, max_retries=max_retries, backoff=backoff)


def _custom(spec: str, options: dict[str, Any]) -> Geocoder:
    module, _, attr = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as e:
        raise GeocoderConfigError(f"cannot load geocoder {spec!r}: {e}") from None
    geocoder = factory(**options)
    if not isinstance(geocoder, Geocoder):
        raise GeocoderConfigError(
            f"{spec} returned {type(geocoder).__name__}, which is not a Geocoder (it needs "
            "identity, crs and lookup(address))")
    return geocoder
