"""Geocode one address, or a whole table, through the cache."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from routeopt.exceptions import (
    GeocodeCacheError,
    GeocodeError,
    GeocoderUnavailableError,
    InputError,
)
from routeopt.geocode._base import STATUSES, Geocoder, Result, distance_m
from routeopt.geocode._cache import GeocodeCache
from routeopt.geocode._crs import parse_crs, to_wgs84

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["OUTPUT_COLUMNS", "GeocodeReport", "geocode_table", "locate", "resolve"]

log = logging.getLogger(__name__)

#: The distance between two candidates beyond which an address is ambiguous.
AMBIGUITY_M: Final = 1000.0
#: Columns added to the table by :func:`geocode_table`.
OUTPUT_COLUMNS: Final = ("geocode_status", "geocode_provider", "geocode_match",
                         "geocode_precision", "geocode_kind", "geocode_crs", "geocode_message")
#: After this many errors in a row the service is taken as down and the rest is not asked.
MAX_CONSECUTIVE_ERRORS: Final = 10


def resolve(geocoder: Geocoder, address: str, *, cache: GeocodeCache | None = None,
            ambiguity_m: float = AMBIGUITY_M, refresh: bool = False) -> Result:
    """Geocode one address: from the cache, or from the geocoder (then cached).

    The best candidate is converted from the geocoder's ``crs`` to WGS-84. The
    address is *ambiguous* when another candidate lies more than
    ``ambiguity_m`` metres from the best one (the same street name in two
    towns, say): its best match is still returned, with status
    ``ambiguous``. Errors are returned as a result with status ``error`` and
    the reason in ``message``; they are not cached. A geocoder that cannot be
    reached at all is not an answer about this address: its
    :class:`~routeopt.exceptions.GeocoderUnavailableError` is raised.

    Parameters
    ----------
    geocoder
        Any :class:`~routeopt.geocode.Geocoder` (wrap it in
        :class:`~routeopt.geocode.Throttled` for rate limits and retries).
    address
        The address, as written.
    cache
        Where answers are looked up first and stored after.
    ambiguity_m
        See above.
    refresh
        Ask the geocoder again even when the cache has an answer.

    Examples
    --------
    >>> from routeopt.geocode import Candidate
    >>> class Two:
    ...     identity, crs = "two", "wgs84"
    ...     def lookup(self, address):
    ...         return [Candidate(43.73, 7.42, "Rue A, Monaco"),
    ...                 Candidate(43.76, 7.47, "Rue A, Menton")]
    >>> r = resolve(Two(), "Rue A")
    >>> r.status, r.matches, round(r.spread_m)
    ('ambiguous', 2, 5221)
    """
    provider = geocoder.identity
    if cache is not None and not refresh:
        hit = cache.get(provider, address)
        if hit is not None:
            status = hit.status
            if status in ("ok", "ambiguous"):  # the radius may have changed since
                status = "ambiguous" if hit.spread_m > ambiguity_m else "ok"
            return _with_message(Result(status, hit.lat, hit.lon, hit.address, hit.precision,
                                        hit.kind, provider, hit.source_crs, hit.matches,
                                        hit.spread_m, cached=True), ambiguity_m)
    try:
        found = geocoder.lookup(address)
    except GeocoderUnavailableError:
        raise
    except GeocodeError as e:
        return Result("error", provider=provider, message=str(e))
    if not found:
        result = Result("not_found", provider=provider)
    else:
        best = found[0]
        crs = parse_crs(geocoder.crs)
        spread = max((distance_m(best.lat, best.lon, c.lat, c.lon) for c in found[1:]),
                     default=0.0)
        lat, lon = to_wgs84(best.lat, best.lon, crs)
        result = Result("ambiguous" if spread > ambiguity_m else "ok", lat, lon, best.address,
                        best.precision, best.kind, provider, crs, len(found), round(spread, 1))
    if cache is not None:
        cache.put(provider, address, result)
    return _with_message(result, ambiguity_m)


def _with_message(r: Result, ambiguity_m: float) -> Result:
    from dataclasses import replace

    if r.status == "not_found":
        return replace(r, message=r.message or "no match")
    if r.status != "ambiguous":
        return r

    msg = (f"{r.matches} matches up to {r.spread_m / 1000:.1f} km apart (more than "
           f"{ambiguity_m:g} m); best: {r.lat:.6f},{r.lon:.6f} {r.address!r}; make the address "
           "more precise (postcode, town) or give lat/lon")
    return replace(r, message=msg)


@dataclass
class GeocodeReport:
    """The outcome of :func:`geocode_table`.

    Attributes
    ----------
    frame
        The input table with ``lat``/``lon`` filled for rows found (status
        ``ok``) and the columns :data:`OUTPUT_COLUMNS` added.
    counts
        Rows per status.
    requests
        Distinct addresses sent to the geocoder.
    from_cache
        Distinct addresses answered by the cache.
    """

    frame: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    from_cache: int = 0

    def summary(self) -> str:
        """One line: rows per status, in the order of :data:`STATUSES`."""
        parts = [f"{s} {self.counts[s]}" for s in STATUSES if self.counts.get(s)]
        return f"{sum(self.counts.values())} rows: " + ", ".join(parts)


def _progress(total: int, progress: bool | None, desc: str) -> Any:
    from tqdm import tqdm

    # disable=None: tqdm shows the bar only when stderr is a terminal.
    return tqdm(total=total, desc=desc, unit="addr", disable=None if progress is None
                else not progress, leave=False)


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and v != v:
        return True
    return str(v).strip() == ""


def _run(geocoder: Geocoder, addresses: Sequence[str], cache: GeocodeCache | None, *,
         ambiguity_m: float, refresh: bool, progress: bool | None,
         on_result: Callable[[str, Result], None]) -> tuple[int, int]:
    """Resolve each distinct address once; returns (lookups sent, answers from the cache)."""
    sent = cached = errors_in_row = 0
    bar = _progress(len(addresses), progress, "geocoding")
    try:
        for address in addresses:
            if errors_in_row >= MAX_CONSECUTIVE_ERRORS:
                on_result(address, Result(
                    "error", provider=geocoder.identity,
                    message=f"not asked: the geocoder failed {errors_in_row} times in a row; "
                            "check that it is up and run again (found rows are cached)"))
                bar.update(1)
                continue
            try:
                r = resolve(geocoder, address, cache=cache, ambiguity_m=ambiguity_m,
                            refresh=refresh)
            except (GeocodeCacheError, GeocoderUnavailableError):
                raise  # nothing more can be kept or asked: stop (what is done is in the cache)
            except Exception as e:  # a geocoder of one's own failed: record, keep the others
                log.exception("geocoding %r failed", address)
                r = Result("error", provider=geocoder.identity,
                           message=f"{type(e).__name__}: {e}")
            if r.cached:
                cached += 1
            else:
                sent += 1
            errors_in_row = errors_in_row + 1 if r.status == "error" else 0
            on_result(address, r)
            bar.update(1)
    finally:
        bar.close()
    return sent, cached


def locate(addresses: Iterable[str], geocoder: Geocoder, *, cache: GeocodeCache | None = None,
           ambiguity_m: float = AMBIGUITY_M, progress: bool | None = None,
           ) -> dict[str, tuple[float, float] | str]:
    """WGS-84 ``(lat, lon)`` for each address found, or the reason it was not.

    This is what ``read_problem(..., geocode=...)`` calls: every distinct
    address once, through the cache. Ambiguous addresses are not used: their
    value is the message saying why. A geocoder that cannot be reached raises
    :class:`~routeopt.exceptions.GeocoderUnavailableError` at the first
    address: its outlets are not "not found", and are not dropped.

    Examples
    --------
    >>> from routeopt.geocode import Candidate
    >>> class One:
    ...     identity, crs = "one", "wgs84"
    ...     def lookup(self, address):
    ...         return [Candidate(43.73, 7.42)] if "Monaco" in address else []
    >>> locate(["Place du Palais, Monaco", "Nowhere"], One())
    {'Place du Palais, Monaco': (43.73, 7.42), 'Nowhere': 'not found (no match)'}
    """
    out: dict[str, tuple[float, float] | str] = {}

    def keep(address: str, r: Result) -> None:
        if r.status == "ok" and r.lat is not None and r.lon is not None:
            out[address] = (r.lat, r.lon)
        else:
            out[address] = f"{r.status.replace('_', ' ')} ({r.message})"

    _run(geocoder, list(dict.fromkeys(addresses)), cache, ambiguity_m=ambiguity_m,
         refresh=False, progress=progress, on_result=keep)
    return out


def geocode_table(source: pd.DataFrame | str | Path, geocoder: Geocoder, *,
                  cache: GeocodeCache | None = None, out: str | Path | None = None,
                  ambiguity_m: float = AMBIGUITY_M, refresh: bool = False,
                  progress: bool | None = None, encoding: str | None = None,
                  sheet: str | int | None = None,
                  columns: Mapping[str, str] | None = None) -> GeocodeReport:
    """Geocode every row of a table that has an address and no coordinates.

    Rows with both ``lat`` and ``lon`` keep them (status ``given``); rows with
    neither coordinates nor address get ``no_address``; the others are
    geocoded, each distinct address once, through the cache. A row found gets
    ``lat``/``lon`` in WGS-84 (and ``crs`` set to ``wgs84`` when the table has a
    ``crs`` column); ``not_found``, ``ambiguous`` and ``error`` rows keep them
    empty, with the reason in ``geocode_message``. One failing row never stops
    the others; a ``KeyboardInterrupt`` stops the run, and every answer
    received before it is already in the cache.

    Parameters
    ----------
    source
        A DataFrame, or the path of a CSV file or Excel workbook read like
        ``outlets.csv`` (``,`` or ``;``, header names in any case, the built-in
        aliases). It needs an ``address`` column. The table written keeps the
        outlets columns under routeopt's names.
    geocoder
        Any :class:`~routeopt.geocode.Geocoder`.
    cache
        The answers cache (recommended: nightly runs then ask only for new
        addresses).
    out
        Write the result there as CSV (atomically: a temporary file renamed).
    ambiguity_m
        See :func:`resolve`.
    refresh
        Ask again for addresses already in the cache.
    progress
        Show a progress bar: ``None`` (default) only when stderr is a terminal.
    encoding, sheet, columns
        How a file is read, as for :func:`routeopt.read.read_outlets`.

    Returns
    -------
    GeocodeReport

    Raises
    ------
    InputError
        When the table cannot be read or has no ``address`` column.
    GeocodeCacheError
        When the cache becomes unusable (answers so far are kept in it).
    GeocoderUnavailableError
        When the geocoder cannot be reached (connection refused, unknown
        host): the run stops at once, nothing is written to ``out``, and the
        answers received before are in the cache.

    Examples
    --------
    >>> import pandas as pd
    >>> from routeopt.geocode import Candidate
    >>> class One:
    ...     identity, crs = "one", "wgs84"
    ...     def lookup(self, address):
    ...         return [Candidate(43.73, 7.42, "Place du Palais")] if "Palais" in address else []
    >>> df = pd.DataFrame({"outlet_id": ["A", "B", "C"],
    ...                    "address": ["Place du Palais", "Nowhere", ""],
    ...                    "lat": [None, None, 43.74], "lon": [None, None, 7.43]})
    >>> report = geocode_table(df, One(), progress=False)
    >>> print(report.frame[["outlet_id", "lat", "geocode_status"]].to_string(index=False))
    outlet_id   lat geocode_status
            A 43.73             ok
            B   NaN      not_found
            C 43.74          given
    >>> report.summary()
    '3 rows: ok 1, not_found 1, given 1'
    """
    import pandas as pd

    from routeopt._columns import canonical_header
    from routeopt._tables import Records, check_header, read_table
    from routeopt.read import OUTLET_COLUMNS

    optional = tuple(c for c in (*OUTLET_COLUMNS["required"], *OUTLET_COLUMNS["optional"])
                     if c != "address")
    spec = {"required": ("address",), "optional": optional}
    records: Records
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
        frame.columns = canonical_header([str(c).strip().lower() for c in frame.columns],
                                         "outlets", ("address", *optional), columns,
                                         file=None, line=None)
        records = [(None, dict(zip(frame.columns, row, strict=True)))
                   for row in frame.itertuples(index=False, name=None)]
        check_header(list(frame.columns), None, None, "outlets", spec)
    else:
        recs, _, issues = read_table(source, "outlets", spec, encoding=encoding, sheet=sheet,
                                     columns=columns)
        if issues:
            raise InputError(issues)
        records = recs
        frame = pd.DataFrame([r for _, r in records], dtype=object)
    for col in ("lat", "lon"):
        if col not in frame.columns:
            frame[col] = None
    frame["lat"] = frame["lat"].astype(object)
    frame["lon"] = frame["lon"].astype(object)
    n = len(frame)
    status = ["" for _ in range(n)]
    extra: dict[str, list[str]] = {c: ["" for _ in range(n)] for c in OUTPUT_COLUMNS[1:]}
    todo: dict[str, list[int]] = {}
    for i, (_, row) in enumerate(records):
        has_lat, has_lon = not _blank(row.get("lat")), not _blank(row.get("lon"))
        address = "" if _blank(row.get("address")) else str(row["address"]).strip()
        if has_lat and has_lon:
            status[i] = "given"
        elif not address:
            status[i] = "no_address"
            extra["geocode_message"][i] = "no address and no coordinates"
        else:
            todo.setdefault(address, []).append(i)
    lat = list(frame["lat"])
    lon = list(frame["lon"])
    crs_col = list(frame["crs"]) if "crs" in frame.columns else None

    def keep(address: str, r: Result) -> None:
        for i in todo[address]:
            status[i] = r.status
            extra["geocode_provider"][i] = r.provider
            extra["geocode_match"][i] = r.address
            extra["geocode_precision"][i] = r.precision
            extra["geocode_kind"][i] = r.kind
            extra["geocode_crs"][i] = r.source_crs if r.lat is not None else ""
            extra["geocode_message"][i] = r.message
            if r.status == "ok":
                lat[i], lon[i] = round(float(r.lat or 0), 7), round(float(r.lon or 0), 7)
                if crs_col is not None:
                    crs_col[i] = "wgs84"

    interrupted = True
    try:
        sent, cached = _run(geocoder, list(todo), cache, ambiguity_m=ambiguity_m,
                            refresh=refresh, progress=progress, on_result=keep)
        interrupted = False
    finally:
        if interrupted:
            done = sum(1 for rows in todo.values() if status[rows[0]])
            log.info("geocoding stopped after %d of %d addresses%s", done, len(todo),
                        "; the answers received are in the cache" if cache is not None else "")
    frame["lat"] = pd.Series([None if _blank(v) else v for v in lat], dtype=object,
                             index=frame.index).infer_objects()
    frame["lon"] = pd.Series([None if _blank(v) else v for v in lon], dtype=object,
                             index=frame.index).infer_objects()
    if crs_col is not None:
        frame["crs"] = crs_col
    frame["geocode_status"] = status
    for c, values in extra.items():
        frame[c] = values
    report = GeocodeReport(frame, dict(Counter(status)), sent, cached)
    if out is not None:
        write_frame(frame, Path(out))
    return report


def write_frame(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as UTF-8 CSV atomically (temporary name, then rename)."""
    from routeopt._files import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    text = frame.to_csv(index=False, lineterminator="\n")
    return atomic_write(path, text)

