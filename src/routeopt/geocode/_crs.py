"""Chinese coordinate systems: GCJ-02 and BD-09 to WGS-84 and back.

Maps and geocoders in mainland China do not give WGS-84: Amap (Gaode),
Tencent and Google's China maps use GCJ-02, Baidu uses BD-09 (GCJ-02 with a
further shift). Both are published algorithms that PROJ does not implement.
routeopt converts at the boundary, once, with the ``prcoords`` package, and
works in WGS-84 everywhere else.

Why ``prcoords``: it is pure Python (no compiled wheel to fail on a platform),
CC0 (public domain, fine inside an MIT package), has no dependencies, and
gives an *exact* inverse (it iterates the forward transform to a fixed point,
about 0.1 mm) where most packages, ``coordtransform`` among them, only subtract
the forward offset once (an error of up to a few metres). Its last release is
from 2019, which matters little: GCJ-02 and BD-09 are frozen algorithms.

Outside mainland China GCJ-02 and BD-09 are, by convention, WGS-84 (the maps
that use them do not shift foreign points), so points outside prcoords'
bounding box of China are returned unchanged.
"""

from __future__ import annotations

from typing import Final

__all__ = ["CRS_NAMES", "from_wgs84", "parse_crs", "to_wgs84"]

CRS_NAMES: Final = ("wgs84", "gcj02", "bd09")
_ALIASES: Final = {
    "wgs84": "wgs84", "wgs-84": "wgs84", "wgs 84": "wgs84", "epsg:4326": "wgs84", "4326": "wgs84",
    "gps": "wgs84", "gcj02": "gcj02", "gcj-02": "gcj02", "gcj": "gcj02", "mars": "gcj02",
    "bd09": "bd09", "bd-09": "bd09", "bd09ll": "bd09", "baidu": "bd09",
}


def parse_crs(text: str) -> str:
    """The canonical name (``wgs84``, ``gcj02`` or ``bd09``) of a coordinate system.

    Case, spaces and the usual spellings (``WGS-84``, ``EPSG:4326``,
    ``GCJ-02``, ``BD-09``, ``bd09ll``) are accepted; an empty text is WGS-84.

    Raises
    ------
    ValueError
        For any other name.

    Examples
    --------
    >>> parse_crs("GCJ-02"), parse_crs(""), parse_crs("EPSG:4326")
    ('gcj02', 'wgs84', 'wgs84')
    """
    key = " ".join(text.strip().lower().split())
    if not key:
        return "wgs84"
    try:
        return _ALIASES[key]
    except KeyError:
        raise ValueError(f"{text!r} is not a coordinate system; use one of "
                         f"{', '.join(CRS_NAMES)}") from None


def _in_china(lat: float, lon: float) -> bool:
    import prcoords

    return bool(prcoords.sanity_in_china_p(prcoords.Coords(lat, lon)))


def to_wgs84(lat: float, lon: float, crs: str) -> tuple[float, float]:
    """Convert a point given in ``crs`` to WGS-84 ``(lat, lon)``.

    Parameters
    ----------
    lat, lon
        The point in degrees, in the system ``crs``.
    crs
        ``wgs84``, ``gcj02`` or ``bd09`` (any spelling :func:`parse_crs` takes).

    Examples
    --------
    A point in Beijing as Amap (GCJ-02) gives it, back in WGS-84:

    >>> lat, lon = to_wgs84(39.913345, 116.384047, "gcj02")
    >>> round(lat, 6), round(lon, 6)
    (39.911954, 116.377817)
    >>> to_wgs84(43.7384, 7.4246, "bd09")   # Monaco: outside China, unchanged
    (43.7384, 7.4246)
    """
    import prcoords

    name = parse_crs(crs)
    if name == "wgs84" or not _in_china(lat, lon):
        return lat, lon
    fn = prcoords.gcj_wgs_bored if name == "gcj02" else prcoords.bd_wgs_bored
    out = fn(prcoords.Coords(lat, lon), False)
    return float(out.lat), float(out.lon)


def from_wgs84(lat: float, lon: float, crs: str) -> tuple[float, float]:
    """Convert a WGS-84 point to ``crs`` (the inverse of :func:`to_wgs84`).

    Examples
    --------
    >>> lat, lon = from_wgs84(39.911954, 116.377817, "gcj02")
    >>> round(lat, 6), round(lon, 6)
    (39.913345, 116.384047)
    """
    import prcoords

    name = parse_crs(crs)
    if name == "wgs84" or not _in_china(lat, lon):
        return lat, lon
    fn = prcoords.wgs_gcj if name == "gcj02" else prcoords.wgs_bd
    out = fn(prcoords.Coords(lat, lon), False)
    return float(out.lat), float(out.lon)
