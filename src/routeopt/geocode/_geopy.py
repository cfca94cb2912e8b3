"""Any geopy geocoder behind the :class:`~routeopt.geocode.Geocoder` protocol.

geopy's own registry (``geopy.geocoders.get_geocoder_for_service``) finds the
class by name, so every provider geopy has works: ``nominatim``, ``photon``,
``pelias``, ``googlev3``, ``bing``, ``here``, ``opencage``, ``baiduv3`` and the
others. geopy's errors are mapped to :class:`~routeopt.exceptions.GeocodeError`
here, in one place, with ``retryable`` set for timeouts, 429 and 5xx.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from routeopt.exceptions import GeocodeError, GeocoderConfigError, GeocoderUnavailableError
from routeopt.geocode._base import Candidate
from routeopt.geocode._crs import parse_crs

__all__ = ["PUBLIC_NOMINATIM", "GeopyGeocoder", "default_user_agent"]

log = logging.getLogger(__name__)

PUBLIC_NOMINATIM: Final = "nominatim.openstreetmap.org"
#: Providers whose answers are not WGS-84 (geopy does not convert them).
_PROVIDER_CRS: Final = {"baidu": "bd09", "baiduv3": "bd09"}
#: Ask for a few candidates, to tell an ambiguous address from a clear one.
_CANDIDATES: Final = 5


def default_user_agent() -> str:
    """``routeopt/<version>``: the identifying user agent public services ask for."""
    from routeopt._version import __version__

    return f"routeopt/{__version__}"


class GeopyGeocoder:
    """A geopy geocoder, by name and options.

    Parameters
    ----------
    name
        A geopy service name (``nominatim``, ``photon``, ``googlev3``...), case
        insensitive.
    domain, scheme
        The server, for self-hosted Nominatim, Photon or Pelias
        (``domain="127.0.0.1:8088", scheme="http"``). Left out, geopy's public
        default.
    user_agent
        Sent with every request; ``routeopt/<version>`` by default. Public
        Nominatim requires one that identifies your application.
    timeout
        Seconds per request.
    crs
        The coordinate system of the provider's answers; by default ``bd09``
        for Baidu and ``wgs84`` for the others.
    query_options
        Extra keyword arguments of the provider's ``geocode()`` call, e.g.
        ``{"country_codes": "mc"}`` for Nominatim.
    **options
        Keyword arguments of the geopy class (``api_key``, ``language``...).

    Raises
    ------
    GeocoderConfigError
        For an unknown name or an option the class does not take.

    Examples
    --------
    >>> g = GeopyGeocoder("nominatim", domain="127.0.0.1:8088", scheme="http")
    >>> g.identity, g.crs
    ('nominatim@127.0.0.1:8088', 'wgs84')
    >>> GeopyGeocoder("baiduv3", api_key="KEY").crs
    'bd09'
    """

    def __init__(self, name: str = "nominatim", *, domain: str | None = None,
                 scheme: str | None = None, user_agent: str | None = None,
                 timeout: float = 10.0, crs: str | None = None,
                 query_options: Mapping[str, Any] | None = None, **options: Any) -> None:
        from geopy.exc import GeocoderNotFound
        from geopy.geocoders import SERVICE_TO_GEOCODER, get_geocoder_for_service

        self.name = name.strip().lower()
        try:
            cls = get_geocoder_for_service(self.name)
        except GeocoderNotFound:
            raise GeocoderConfigError(
                f"unknown geocoder {name!r}; use one of {', '.join(sorted(SERVICE_TO_GEOCODER))}"
                " (geopy's names), or module:factory for your own") from None
        params = inspect.signature(cls.__init__).parameters
        kwargs: dict[str, Any] = dict(options)
        for key, value in (("domain", domain), ("scheme", scheme)):
            if value is not None:
                kwargs[key] = value
        if "user_agent" in params:
            kwargs["user_agent"] = user_agent or default_user_agent()
        kwargs["timeout"] = timeout
        if "adapter_factory" in params and "adapter_factory" not in kwargs:
            kwargs["adapter_factory"] = _adapter_without_retries
        unknown = [k for k in kwargs if k not in params]
        if unknown:
            takes = ", ".join(p for p in params if p not in ("self", "args", "kwargs"))
            raise GeocoderConfigError(
                f"geocoder {self.name!r} does not take {', '.join(sorted(unknown))}; "
                f"it takes: {takes}")
        try:
            self._geocoder = cls(**kwargs)
        except (TypeError, ValueError) as e:
            raise GeocoderConfigError(f"geocoder {self.name!r}: {e}") from None
        self._crs = parse_crs(crs or _PROVIDER_CRS.get(self.name, "wgs84"))
        self._query = dict(query_options or {})
        gparams = inspect.signature(self._geocoder.geocode).parameters
        bad = [k for k in self._query if k not in gparams]
        if bad:
            raise GeocoderConfigError(
                f"geocoder {self.name!r} has no query option {', '.join(sorted(bad))}")
        if "limit" in gparams and "limit" not in self._query:
            self._query["limit"] = _CANDIDATES
        self.domain = _domain_of(self._geocoder) or (domain or "")

    @property
    def identity(self) -> str:
        """``name@domain``: the cache keeps each provider's answers apart."""
        return f"{self.name}@{self.domain}" if self.domain else self.name

    @property
    def crs(self) -> str:
        return self._crs

    @property
    def is_public_nominatim(self) -> bool:
        return self.name == "nominatim" and self.domain.lower() == PUBLIC_NOMINATIM

    def lookup(self, address: str) -> list[Candidate]:
        """The provider's candidates for ``address``, best first (empty: not found)."""
        from geopy.exc import GeopyError

        try:
            found = self._geocoder.geocode(address, exactly_one=False, **self._query)
        except GeopyError as e:
            raise _map_error(e, self._where()) from e
        if not found:
            return []
        return [Candidate(float(loc.latitude), float(loc.longitude), str(loc.address or ""),
                          *_precision(self.name, loc.raw)) for loc in found]

    def _where(self) -> str:
        scheme = getattr(self._geocoder, "scheme", "")
        return f"{scheme}://{self.domain}" if scheme and self.domain else self.identity

    def __repr__(self) -> str:
        return f"GeopyGeocoder({self.identity!r})"


def _adapter_without_retries(*, proxies: Any, ssl_context: Any) -> Any:
    """geopy's HTTP adapter, without requests' own retries: :class:`Throttled` retries."""
    from geopy.adapters import RequestsAdapter, URLLibAdapter

    if RequestsAdapter.is_available:
        return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)
    return URLLibAdapter(proxies=proxies, ssl_context=ssl_context)


def _domain_of(geocoder: Any) -> str:
    domain = getattr(geocoder, "domain", None)
    if isinstance(domain, str) and domain:
        return domain.strip("/")
    api = getattr(geocoder, "api", None)
    if isinstance(api, str) and api:
        return urlsplit(api).netloc
    return ""


def _unreachable(e: BaseException) -> str | None:
    """``connection refused`` or ``unknown host`` when that is the root of ``e``, else None.

    The cause is looked for along the exception chain and the ``reason`` of
    urllib3's and urllib's wrappers: requests raises ``ConnectionError`` from
    urllib3's ``MaxRetryError(reason=NewConnectionError)`` from
    ``ConnectionRefusedError``; urllib raises ``URLError(reason=...)``.
    """
    import socket

    seen: set[int] = set()
    todo: list[BaseException | None] = [e]
    while todo:
        x = todo.pop()
        if x is None or id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, ConnectionRefusedError):
            return "connection refused"
        if isinstance(x, socket.gaierror) or type(x).__name__ == "NameResolutionError":
            return "unknown host"
        reason = getattr(x, "reason", None)
        todo += [x.__cause__, x.__context__, reason if isinstance(reason, BaseException)
                 else None]
    return None


def _map_error(e: Exception, where: str = "the geocoder") -> GeocodeError:
    """A geopy error as a GeocodeError: retryable for timeouts, 408, 429, 5xx and a lost
    connection; :class:`GeocoderUnavailableError` when nothing answers at ``where`` at all."""
    from geopy.adapters import AdapterHTTPError, get_retry_after
    from geopy.exc import (
        GeocoderParseError,
        GeocoderRateLimited,
        GeocoderServiceError,
        GeocoderTimedOut,
        GeocoderUnavailable,
    )

    why = _unreachable(e)
    if why is not None:  # nobody there: asking again in a second will not help
        return GeocoderUnavailableError(
            f"cannot reach the geocoder at {where}: {why}; check the server's address "
            "(--domain, --scheme) and that it is running, then run again")
    cause = e.__cause__ or e.__context__
    status = cause.status_code if isinstance(cause, AdapterHTTPError) else None
    retry_after: float | None = None
    if isinstance(e, GeocoderRateLimited) and e.retry_after is not None:
        retry_after = float(e.retry_after)
    elif isinstance(cause, AdapterHTTPError) and cause.headers:
        ra = get_retry_after(cause.headers)
        retry_after = float(ra) if ra is not None else None
    if isinstance(e, GeocoderParseError):
        return GeocodeError(f"the answer could not be read: {e}")
    if status is not None:
        retryable = status in (408, 429) or status >= 500
        what = ("rate limited (HTTP 429)" if status == 429
                else f"server error (HTTP {status})" if status >= 500
                else f"refused (HTTP {status})")
        return GeocodeError(f"{what}: {e}", retryable=retryable, retry_after=retry_after)
    if isinstance(e, GeocoderTimedOut):
        return GeocodeError(f"timed out: {e}", retryable=True)
    if isinstance(e, GeocoderUnavailable) or isinstance(cause, OSError):  # no connection
        return GeocodeError(f"service unavailable: {e}", retryable=True)
    if isinstance(e, GeocoderServiceError):
        return GeocodeError(f"service error: {e}")
    return GeocodeError(f"{type(e).__name__}: {e}")


def _precision(name: str, raw: Any) -> tuple[str, str]:
    """The precision (see PRECISIONS) and the provider's own kind of a raw answer."""
    if not isinstance(raw, Mapping):
        return "unknown", ""
    if "place_rank" in raw or "addresstype" in raw:  # Nominatim
        cls, typ = str(raw.get("class", raw.get("category", ""))), str(raw.get("type", ""))
        kind = f"{cls}/{typ}".strip("/")
        if (cls == "place" and typ == "postcode") or raw.get("addresstype") == "postcode":
            return "postcode", kind
        try:
            rank = int(raw.get("place_rank", -1))
        except (TypeError, ValueError):
            rank = -1
        if rank < 0:
            return "unknown", kind
        precision = ("rooftop" if rank >= 28 else "street" if rank >= 26
                     else "locality" if rank >= 13 else "region" if rank >= 5 else "country")
        return precision, kind
    props = raw.get("properties")
    if isinstance(props, Mapping):  # Photon, Pelias (GeoJSON features)
        typ = str(props.get("type") or props.get("layer") or "")
        kind = "/".join(str(props[k]) for k in ("osm_key", "osm_value") if props.get(k)) or typ
        table = {"house": "rooftop", "address": "rooftop", "venue": "rooftop",
                 "street": "street", "postalcode": "postcode", "postcode": "postcode",
                 "locality": "locality", "city": "locality", "district": "locality",
                 "neighbourhood": "locality", "borough": "locality", "localadmin": "locality",
                 "county": "region", "state": "region", "region": "region",
                 "macroregion": "region", "country": "country"}
        return table.get(typ, "unknown"), kind
    geometry = raw.get("geometry")
    if isinstance(geometry, Mapping) and "location_type" in geometry:  # Google
        table = {"ROOFTOP": "rooftop", "RANGE_INTERPOLATED": "street"}
        lt = str(geometry["location_type"])
        types = [str(t) for t in raw.get("types", [])]
        if lt in table:
            return table[lt], ",".join(types)
        for t, p in (("route", "street"), ("postal_code", "postcode"), ("locality", "locality"),
                     ("administrative_area_level_1", "region"), ("country", "country")):
            if t in types:
                return p, ",".join(types)
        return "unknown", ",".join(types)
    if name.startswith("baidu"):
        precise = raw.get("precise")
        return ("rooftop" if precise == 1 else "unknown"), str(raw.get("level", ""))
    return "unknown", ""
