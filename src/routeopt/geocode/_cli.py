"""``routeopt geocode`` and the geocoding options of ``routeopt plan``.

Kept here so that ``routeopt.cli`` only wires them in.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from routeopt._values import cli_float, cli_int
from routeopt.exceptions import (
    GeocodeCacheError,
    GeocoderConfigError,
    GeocoderUnavailableError,
    InputError,
    Issue,
)

__all__ = ["add_geocode_command", "add_plan_options", "plan_geocoding", "run_geocode"]

EXIT_OK, EXIT_FAIL, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _key_value(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: write KEY=VALUE")
    try:
        parsed: Any = json.loads(value)  # numbers, true/false, lists
    except ValueError:
        parsed = value
    return key.strip(), parsed


def add_geocode_command(sub: Any) -> None:
    """Add the ``geocode`` subcommand to the ``routeopt`` subparsers ``sub``."""
    g = sub.add_parser(
        "geocode", help="add lat/lon to the rows of a CSV that have an address",
        description="Geocode the rows of a CSV that have an address and no lat/lon. Exit 0 when "
                    "the output was written (even with rows not found), 2 on bad input or a "
                    "geocoder that cannot be reached, 1 when the cache is unusable, 130 when "
                    "interrupted (answers so far are cached).")
    g.add_argument("--in", dest="in_", required=True, type=Path, metavar="CSV",
                   help="input CSV or Excel workbook with an address column (e.g. outlets.csv)")
    g.add_argument("--encoding", default=None,
                   help="encoding of the input CSV (default: UTF-8 or GBK/GB18030, detected)")
    g.add_argument("--sheet", default=None,
                   help="sheet of an Excel input: name or 0-based index (default: the first)")
    g.add_argument("--columns", type=Path, default=None, metavar="MAP.toml",
                   help="column map; its [outlets] table names your headers (see "
                        "docs/csv-schema.md)")
    g.add_argument("--out", required=True, type=Path, help="output CSV")
    g.add_argument("--provider", default="nominatim",
                   help="geopy geocoder name (nominatim, photon, googlev3, baiduv3...) or "
                        "module:factory (default nominatim)")
    _service_args(g, "")
    g.add_argument("--option", action="append", type=_key_value, default=[],
                   metavar="KEY=VALUE", help="geocoder option, e.g. api_key=... (repeatable)")
    g.add_argument("--query-option", action="append", type=_key_value, default=[],
                   metavar="KEY=VALUE", help="query option, e.g. country_codes=mc (repeatable)")
    g.add_argument("--timeout", type=cli_float, default=10.0, help="seconds per request (10)")
    g.add_argument("--max-retries", type=cli_int, default=3,
                   help="retries on timeouts, 429 and 5xx (3)")
    g.add_argument("--provider-crs", default=None,
                   help="coordinate system of the answers: wgs84, gcj02, bd09 "
                        "(default: bd09 for Baidu, wgs84 otherwise)")
    g.add_argument("--ambiguity-m", type=cli_float, default=None,
                   help="candidates farther apart than this make an address ambiguous (1000)")
    g.add_argument("--refresh", action="store_true",
                   help="ask again for addresses already in the cache")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _service_args(p: argparse.ArgumentParser, prefix: str) -> None:
    p.add_argument(f"--{prefix}domain", default=None, metavar="HOST[:PORT]",
                   help="server of a self-hosted Nominatim/Photon/Pelias")
    p.add_argument(f"--{prefix}scheme", default=None, choices=("http", "https"),
                   help="http for a local server (default https)")
    p.add_argument(f"--{prefix}cache", default=None, type=Path, metavar="FILE",
                   help="geocode cache, SQLite (default ~/.cache/routeopt/geocode.sqlite); "
                        "'none' for no cache")
    p.add_argument(f"--{prefix}user-agent", default=None,
                   help="HTTP user agent (default routeopt/<version>)")
    p.add_argument(f"--{prefix}min-delay", type=cli_float, default=None, metavar="S",
                   help="least seconds between requests (default 1 for public Nominatim, "
                        "else 0)")


def add_plan_options(p: argparse.ArgumentParser) -> None:
    """Add ``--geocoder``, ``--geocode-*`` and ``--crs`` to ``routeopt plan``."""
    p.add_argument("--geocoder", default=None, metavar="NAME",
                   help="geocode outlets that have an address and no lat/lon with this geocoder "
                        "(e.g. nominatim; see routeopt geocode)")
    _service_args(p, "geocode-")
    p.add_argument("--crs", default="wgs84", choices=("wgs84", "gcj02", "bd09"),
                   help="coordinate system of lat/lon in the input where a row has no crs "
                        "(default wgs84); converted to WGS-84")


def _open_cache(path: Path | None) -> Any:
    from routeopt.geocode import GeocodeCache, default_cache_path

    if path is not None and str(path).lower() == "none":
        return None
    return GeocodeCache(path or default_cache_path())


def _geocoder(name: str, ns: Mapping[str, Any], prefix: str, **extra: Any) -> Any:
    from routeopt.geocode import get_geocoder

    return get_geocoder(name, domain=ns[f"{prefix}domain"], scheme=ns[f"{prefix}scheme"],
                        user_agent=ns[f"{prefix}user_agent"],
                        min_delay=ns[f"{prefix}min_delay"], **extra)


def run_geocode(args: argparse.Namespace) -> int:
    """``routeopt geocode``: returns the exit code."""
    from routeopt.geocode import AMBIGUITY_M, geocode_table

    ns = vars(args)
    try:
        geocoder = _geocoder(args.provider, ns, "", timeout=args.timeout,
                             max_retries=args.max_retries, crs=args.provider_crs,
                             query_options=dict(args.query_option) or None, **dict(args.option))
    except (GeocoderConfigError, ValueError) as e:
        print(f"routeopt: error: {e}", file=sys.stderr)
        return EXIT_INPUT
    if args.out.is_dir():
        print(f"routeopt: error: --out {args.out} is a directory; give a file name",
              file=sys.stderr)
        return EXIT_INPUT
    try:
        cache = _open_cache(args.cache)
    except GeocodeCacheError as e:
        print(f"routeopt: error: {e}", file=sys.stderr)
        return EXIT_FAIL
    try:
        from routeopt._columns import load_column_map

        columns = None if args.columns is None else load_column_map(args.columns).get("outlets")
        report = geocode_table(args.in_, geocoder, cache=cache, out=args.out,
                               ambiguity_m=args.ambiguity_m or AMBIGUITY_M,
                               refresh=args.refresh, progress=False if args.quiet else None,
                               encoding=args.encoding, sheet=args.sheet, columns=columns)
    except KeyboardInterrupt as e:
        where = f" in the cache {cache.path}" if cache is not None else ""
        name = getattr(e, "name", "")  # SIGINT or SIGTERM under the routeopt command
        why = f"interrupted ({name})" if name else "interrupted"
        print(f"routeopt: {why}; {args.out} was not written, the answers received so far are "
              f"kept{where}: run again to go on", file=sys.stderr)
        return EXIT_INTERRUPTED
    except GeocoderUnavailableError as e:
        where = f"; the answers received before are kept in the cache {cache.path}" if (
            cache is not None) else ""
        print(f"routeopt: error: {e}{where}; {args.out} was not written", file=sys.stderr)
        return EXIT_INPUT
    except GeocodeCacheError as e:
        print(f"routeopt: error: {e}", file=sys.stderr)
        return EXIT_FAIL
    finally:
        if cache is not None:
            cache.close()
    print(report.summary())
    print(f"{report.requests} address(es) asked of {geocoder.identity}, "
          f"{report.from_cache} answered from the cache")
    print(f"wrote {args.out}")
    return EXIT_OK


@contextmanager
def plan_geocoding(args: argparse.Namespace) -> Iterator[Any]:
    """For ``routeopt plan``: the ``geocode`` argument of ``read_problem`` (or ``None``)."""
    from routeopt.geocode import locate

    if not args.geocoder and not args.geocode_domain:
        yield None
        return
    try:
        geocoder = _geocoder(args.geocoder or "nominatim", vars(args), "geocode_")
    except (GeocoderConfigError, ValueError) as e:
        raise InputError([Issue(f"--geocoder: {e}")]) from None
    cache = _open_cache(args.geocode_cache)
    try:
        yield partial(locate, geocoder=geocoder, cache=cache)
    finally:
        if cache is not None:
            cache.close()
