"""Rate limiting and retries, as a wrapper around any :class:`~routeopt.geocode.Geocoder`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from routeopt.exceptions import GeocodeError
from routeopt.geocode._base import Candidate, Geocoder

__all__ = ["Throttled"]

log = logging.getLogger(__name__)


class Throttled:
    """A geocoder that waits between requests and retries failures that may pass.

    Requests start at least ``min_delay`` seconds apart. A lookup that fails
    with a retryable :class:`~routeopt.exceptions.GeocodeError` (a timeout, no
    connection, HTTP 408, 429 or 5xx) is tried again up to ``max_retries``
    times, waiting ``backoff``, ``2 × backoff``, ``4 × backoff``... seconds
    (at most ``max_backoff``), or the server's ``Retry-After`` when it sent
    one. A ``Retry-After`` longer than ``max_retry_after`` is not waited for:
    the lookup fails at once with a message that says when to come back. An
    address that is not found is an answer, not a failure: it is never
    retried.

    Why not geopy's ``RateLimiter``: it waits a fixed ``error_wait_seconds``
    after any ``GeocoderServiceError`` (a 400 or 403 included), ignores
    ``Retry-After``, and by default swallows the final error, so a row that
    failed looks like a row not found. This wrapper keeps the two apart.

    Parameters
    ----------
    geocoder
        The geocoder to wrap.
    min_delay
        Least seconds between the starts of two requests (1.0 for the public
        Nominatim, whose usage policy allows one request per second).
    max_retries
        Further attempts after the first.
    backoff, max_backoff
        The first wait after a failure, and the longest.
    max_retry_after
        The longest ``Retry-After`` honoured, seconds.
    sleep, clock
        Injected for tests; ``time.sleep`` and ``time.monotonic`` by default.

    Examples
    --------
    >>> from routeopt.geocode import Candidate
    >>> class Flaky:
    ...     identity, crs, calls = "flaky", "wgs84", 0
    ...     def lookup(self, address):
    ...         self.calls += 1
    ...         if self.calls < 3:
    ...             raise GeocodeError("timed out", retryable=True)
    ...         return [Candidate(43.7, 7.4)]
    >>> g = Throttled(Flaky(), backoff=0.001)
    >>> g.lookup("somewhere"), g.geocoder.calls
    ([Candidate(lat=43.7, lon=7.4, address='', precision='unknown', kind='')], 3)
    """

    def __init__(self, geocoder: Geocoder, *, min_delay: float = 0.0, max_retries: int = 3,
                 backoff: float = 1.0, max_backoff: float = 60.0,
                 max_retry_after: float = 300.0,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if min_delay < 0 or max_retries < 0 or backoff < 0 or max_backoff < 0:
            raise ValueError("min_delay, max_retries, backoff and max_backoff must be >= 0")
        self.geocoder = geocoder
        self.min_delay = min_delay
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._clock = clock
        self._last: float | None = None
        #: Requests sent (attempts, retries included).
        self.requests = 0

    @property
    def identity(self) -> str:
        return self.geocoder.identity

    @property
    def crs(self) -> str:
        return self.geocoder.crs

    def _wait_turn(self) -> None:
        if self._last is not None and self.min_delay > 0:
            wait = self._last + self.min_delay - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last = self._clock()

    def lookup(self, address: str) -> list[Candidate]:
        """Look ``address`` up, politely; raises the last error when every attempt failed."""
        attempt = 0
        while True:
            self._wait_turn()
            self.requests += 1
            try:
                return self.geocoder.lookup(address)
            except GeocodeError as e:
                if not e.retryable or attempt >= self.max_retries:
                    if e.retryable and attempt:
                        raise GeocodeError(f"{e} (after {attempt + 1} attempts)",
                                           retryable=True, retry_after=e.retry_after) from e
                    raise
                if e.retry_after is not None and e.retry_after > self.max_retry_after:
                    raise GeocodeError(
                        f"{e}; the server asks to wait {e.retry_after:g} s, more than the "
                        f"{self.max_retry_after:g} s allowed: try again later",
                        retryable=True, retry_after=e.retry_after) from e
                wait = (e.retry_after if e.retry_after is not None
                        else min(self.max_backoff, self.backoff * 2 ** attempt))
                attempt += 1
                log.info("%s: %s; retry %d of %d in %.3g s", self.identity, e, attempt,
                         self.max_retries, wait)
                if wait > 0:
                    self._sleep(wait)

    def __repr__(self) -> str:
        return f"Throttled({self.geocoder!r}, min_delay={self.min_delay})"
