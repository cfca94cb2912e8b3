"""The :class:`Geocoder` protocol, the :class:`Candidate` it returns, one lookup's result."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Protocol, runtime_checkable

__all__ = [
    "PRECISIONS",
    "STATUSES",
    "Candidate",
    "Geocoder",
    "Result",
    "normalise_address",
]

#: The statuses a row can end with (see docs/geocoding.md).
STATUSES: Final = ("ok", "not_found", "ambiguous", "error", "given", "no_address")
#: How precise a match is, from the most precise to the least.
PRECISIONS: Final = ("rooftop", "street", "postcode", "locality", "region", "country", "unknown")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One place a geocoder matched, in the geocoder's own coordinate system.

    Parameters
    ----------
    lat, lon
        The point, in the system of the geocoder (its ``crs``).
    address
        The address as the geocoder wrote it back.
    precision
        One of :data:`PRECISIONS`.
    kind
        The provider's own type of the place, e.g. ``amenity/pharmacy``.
    """

    lat: float
    lon: float
    address: str = ""
    precision: str = "unknown"
    kind: str = ""


@runtime_checkable
class Geocoder(Protocol):
    """Anything that turns an address into candidate places.

    ``identity`` names the provider and its server (``nominatim@127.0.0.1:8088``):
    the cache keeps results apart per identity. ``crs`` is the coordinate
    system of the candidates (``wgs84``, ``gcj02`` or ``bd09``); they are
    converted to WGS-84 after the lookup.

    ``lookup`` returns the candidates best first, an empty list when the
    address is not found, and raises :class:`~routeopt.exceptions.GeocodeError`
    (with ``retryable`` set for timeouts, 429 and 5xx) when the service fails.

    Examples
    --------
    A geocoder of your own needs three members:

    >>> class Table:
    ...     identity = "table@memory"
    ...     crs = "wgs84"
    ...     def lookup(self, address: str) -> list[Candidate]:
    ...         known = {"1 rue de la paix": Candidate(43.7, 7.4, "1 Rue de la Paix", "rooftop")}
    ...         found = known.get(normalise_address(address))
    ...         return [found] if found else []
    >>> isinstance(Table(), Geocoder)
    True
    """

    @property
    def identity(self) -> str: ...

    @property
    def crs(self) -> str: ...

    def lookup(self, address: str) -> list[Candidate]: ...


@dataclass(frozen=True, slots=True)
class Result:
    """What geocoding one address gave, in WGS-84.

    Parameters
    ----------
    status
        ``ok``, ``not_found``, ``ambiguous`` or ``error``.
    lat, lon
        The best match in WGS-84, or ``None`` when nothing was found or on error.
    address
        The matched address as the provider wrote it.
    precision, kind
        See :class:`Candidate`.
    provider
        The geocoder's identity.
    source_crs
        The system the provider answered in, converted from (``wgs84`` when
        nothing was converted).
    matches
        How many candidates the provider returned.
    spread_m
        The greatest distance from the best match to another candidate, metres.
    message
        Why the status is not ``ok``.
    cached
        Whether the result came from the cache.
    """

    status: str
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    precision: str = ""
    kind: str = ""
    provider: str = ""
    source_crs: str = "wgs84"
    matches: int = 0
    spread_m: float = 0.0
    message: str = ""
    cached: bool = False


_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def normalise_address(address: str) -> str:
    """The cache key of an address: case, accents kept, punctuation and spaces folded.

    Unicode is NFKC-normalised and case-folded, every run of punctuation and
    white space becomes one space, and the ends are trimmed. Accents are kept:
    they can tell two streets apart.

    Examples
    --------
    >>> normalise_address("  25, Avenue  Albert-II ")
    '25 avenue albert ii'
    >>> normalise_address("25 AVENUE ALBERT II") == normalise_address("25 avenue albert ii.")
    True
    """
    text = unicodedata.normalize("NFKC", address).casefold()
    return " ".join(_PUNCT.sub(" ", text).split())


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))
