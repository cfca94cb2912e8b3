"""Build the Monaco example data set (outlets and reps) from OpenStreetMap.

The input is the small Monaco extract (OSM data of 2016-03-05) that ships in
the source distribution of ``osrm-bindings``. It is 1.8 MB, so it is not kept
in this repository; fetch it with::

    pip download --no-deps --no-binary=osrm-bindings osrm-bindings==26.10.0 -d /tmp/osrmsrc
    tar -xzf /tmp/osrmsrc/osrm*bindings-26.10.0.tar.gz -C /tmp/osrmsrc \\
        --wildcards '*/test/data/monaco.osm.pbf'

and run (with the ``examples`` extra installed, i.e. ``osmium``)::

    python examples/data/make_monaco.py \\
        --pbf /tmp/osrmsrc/osrm_bindings-26.10.0/test/data/monaco.osm.pbf \\
        --out examples/data/monaco

The script checks the SHA-256 of the extract, so the output is reproducible.

What it does:

* reads every *named* node and way that a pharma/OTC or FMCG field rep could
  visit (pharmacies, supermarkets, convenience stores, chemists, hospitals,
  clinics, doctors, ``healthcare=*``, food and general shops, cafés, bars,
  pubs, restaurants, fast food); a way is placed at the mean of its node
  locations (the closing node of a closed way counted once); relations are
  counted but not used (this extract has no named outlet relations);
* drops duplicates (same name, same coordinates rounded to 4 decimals);
* keeps at most :data:`MAX_OUTLETS` outlets: all core outlets, plus a seeded
  sample of the others when there are too many;
* assigns visit frequency, priority, service time, opening hours (when OSM has
  none in the simple subset understood here), a few fixed reps and a few
  allowed-day restrictions with a fixed-seed random generator;
* writes ``outlets.csv`` and ``reps.csv``.

Map data © OpenStreetMap contributors, available under the Open Database
License (ODbL), https://www.openstreetmap.org/copyright.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import math
import random
import re
import statistics
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import osmium

PBF_SHA256 = "36c0f0029ed838897322382611b67e8e5e7bcb07d5b17a25f3574dec54f1c23c"
SEED = 20160305
MAX_OUTLETS = 160
ID_PREFIX = "MC"
COORD_DECIMALS = 6
DEDUP_DECIMALS = 4

# Bounding box the outputs must lie in (the extract is 43.71-43.77 N, 7.349-7.491 E).
LAT_RANGE = (43.70, 43.78)
LON_RANGE = (7.34, 7.50)

# Rep shift and calendar (must agree with the reps.csv written below).
SHIFT = "08:30-17:30"
WORKING_DAYS = "Mo-Fr"
BREAK = "12:00-14:00/45"
MAX_VISITS = 14
BREAK_MINUTES = 45
SHARE_FIXED_REP = 0.10
SHARE_ALLOWED_DAYS = 0.05

WEEKDAYS: tuple[str, ...] = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
DAY_INDEX = {name: i for i, name in enumerate(WEEKDAYS)}

# Visits per week of each frequency code.
VISITS_PER_WEEK = {"2/week": 2.0, "1/week": 1.0, "1/2weeks": 0.5, "1/4weeks": 0.25}


@dataclass(frozen=True)
class RepStart:
    """Where a rep starts and ends the day: a real, named OSM node."""

    rep_id: str
    name: str
    osm_node_id: int
    label: str


REP_STARTS: tuple[RepStart, ...] = (
    RepStart(
        rep_id="R1",
        name="Rep West (Fontvieille)",
        osm_node_id=1661205494,
        label="Gildo Pastor Center, 7 Rue du Gabian, Fontvieille (office building)",
    ),
    RepStart(
        rep_id="R2",
        name="Rep East (Beausoleil)",
        osm_node_id=2555824442,
        label="La Poste Beausoleil, 27 Boulevard de la République, Beausoleil",
    ),
)


# --------------------------------------------------------------------------
# Categories
# --------------------------------------------------------------------------

HEALTH_AMENITIES = frozenset({"pharmacy", "hospital", "clinic", "doctors"})
HORECA_AMENITIES = frozenset({"cafe", "bar", "pub", "restaurant", "fast_food"})
RETAIL_SHOPS = frozenset({"supermarket", "convenience", "chemist"})
# Food, drink and general shops (plus cosmetics) that stock FMCG or OTC lines.
# fmt: off
OTHER_SHOPS = frozenset({
    "alcohol", "bakery", "beverages", "butcher", "cheese", "chocolate", "coffee",
    "confectionery", "cosmetics", "dairy", "deli", "department_store", "farm", "frozen_food",
    "general", "greengrocer", "health_food", "kiosk", "newsagent", "pasta", "pastry",
    "perfumery", "seafood", "spices", "tea", "tobacco", "variety_store", "wine",
})
# fmt: on
HEALTHCARE_TO_CATEGORY = {
    "pharmacy": "pharmacy",
    "hospital": "hospital",
    "clinic": "clinic",
    "doctor": "doctors",
}
# Categories that are always kept; everything else may be sampled.
CORE_CATEGORIES = frozenset(
    ["pharmacy", "supermarket", "clinic", "hospital", "doctors", "chemist", "convenience"]
)


def classify(tags: osmium.osm.TagList) -> str | None:
    """Return the outlet category of an OSM object, or ``None`` if it is not one."""
    amenity = tags.get("amenity")
    shop = tags.get("shop")
    healthcare = tags.get("healthcare")
    if amenity in HEALTH_AMENITIES:
        return amenity
    if shop in RETAIL_SHOPS:
        return shop
    if healthcare:
        return HEALTHCARE_TO_CATEGORY.get(healthcare, "healthcare")
    if shop in OTHER_SHOPS:
        return shop
    if amenity in HORECA_AMENITIES:
        return amenity
    return None


def group_of(category: str) -> str:
    """The rule group (see :data:`RULES`) a category belongs to."""
    if category in ("pharmacy", "supermarket", "hospital"):
        return category
    if category in ("clinic", "doctors", "healthcare"):
        return "clinic"
    if category in ("convenience", "chemist"):
        return "convenience"
    if category in HORECA_AMENITIES:
        return "horeca"
    return "other_shop"


@dataclass(frozen=True)
class Rule:
    """How visit attributes are assigned to one group of categories.

    ``frequencies`` are shares that are handed out exactly (largest remainder)
    over a seeded shuffle of the group; ``priority`` maps each frequency to a
    priority class; ``service_min`` are the choices for the service time.
    """

    frequencies: tuple[tuple[str, float], ...]
    priority: dict[str, str]
    service_min: tuple[int, ...]
    hours: str


RULES: dict[str, Rule] = {
    "pharmacy": Rule(
        frequencies=(("2/week", 0.9), ("1/week", 0.1)),
        priority={"2/week": "A", "1/week": "B"},
        service_min=(20, 25),
        hours="Mo-Fr 08:30-12:30,14:00-19:30; Sa 09:00-12:30",
    ),
    "supermarket": Rule(
        frequencies=(("2/week", 0.9), ("1/week", 0.1)),
        priority={"2/week": "A", "1/week": "B"},
        service_min=(30, 35, 40, 45),
        hours="Mo-Sa 08:00-20:00",
    ),
    "hospital": Rule(
        frequencies=(("1/week", 0.75), ("1/2weeks", 0.25)),
        priority={"1/week": "B", "1/2weeks": "B"},
        service_min=(30,),
        hours="Mo-Fr 08:00-17:00",
    ),
    "clinic": Rule(
        frequencies=(("1/week", 0.6), ("1/2weeks", 0.4)),
        priority={"1/week": "B", "1/2weeks": "B"},
        service_min=(20,),
        hours="Mo-Fr 08:00-12:00,14:00-18:00",
    ),
    "convenience": Rule(
        frequencies=(("1/week", 0.6), ("1/2weeks", 0.4)),
        priority={"1/week": "B", "1/2weeks": "C"},
        service_min=(15,),
        hours="Mo-Sa 07:30-20:00; Su 08:00-13:00",
    ),
    "other_shop": Rule(
        frequencies=(("1/2weeks", 0.5), ("1/4weeks", 0.5)),
        priority={"1/2weeks": "C", "1/4weeks": "C"},
        service_min=(10, 15),
        hours="Mo-Sa 07:00-13:00,15:30-19:30",
    ),
    "horeca": Rule(
        frequencies=(("1/2weeks", 0.85), ("1/4weeks", 0.15)),
        priority={"1/2weeks": "C", "1/4weeks": "C"},
        service_min=(10, 15),
        hours="Mo-Sa 07:00-19:00",
    ),
}

# Assumed opening hours that differ from the group default.
HOURS_BY_CATEGORY = {
    "restaurant": "Mo-Sa 09:30-15:00,18:30-23:00",
    "fast_food": "Mo-Su 10:00-22:00",
    "bakery": "Tu-Su 06:30-13:30,15:30-19:30",
    "kiosk": "Mo-Sa 06:30-19:30; Su 07:00-12:30",
    "newsagent": "Mo-Sa 06:30-19:30; Su 07:00-12:30",
}

ALLOWED_DAYS_TWICE_A_WEEK = ("Mo,We,Fr", "Tu,Th", "Mo,Th", "Tu,Fr")
ALLOWED_DAYS_ONCE_A_WEEK = ("Tu,Th", "Mo,We,Fr", "We", "Mo,Tu", "Th,Fr")


# --------------------------------------------------------------------------
# Opening hours (a deliberately small subset of the OSM syntax)
# --------------------------------------------------------------------------

_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_DAYS = rf"{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d"
_SPAN = rf"{_TIME}-(?:{_TIME}|24:00)"
_RULE_RE = re.compile(rf"(?P<days>{_DAYS}) (?P<times>off|{_SPAN}(?:,{_SPAN})*)")

Week = dict[int, list[tuple[int, int]]]
"""Opening windows per weekday (0 = Monday), in minutes since midnight."""


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _expand_days(spec: str) -> list[int] | None:
    days: list[int] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        lo = DAY_INDEX[first]
        hi = DAY_INDEX[last] if last else lo
        if hi < lo:
            return None  # wrap-around ranges such as Sa-Mo are not in the subset
        days.extend(range(lo, hi + 1))
    return days


def parse_hours(text: str) -> Week | None:
    """Parse the simple ``opening_hours`` subset; ``None`` if ``text`` is outside it.

    Accepted: ``24/7``, or ``;``-separated rules ``DAYS HH:MM-HH:MM[,...]`` or
    ``DAYS off``. Windows must end after they start on the same day (an end of
    ``24:00`` is allowed). As in OSM, a later rule replaces earlier ones for the
    days it names.
    """
    text = text.strip()
    if text == "24/7":
        return {day: [(0, 24 * 60)] for day in range(7)}
    week: Week = {}
    for raw_rule in text.split(";"):
        match = _RULE_RE.fullmatch(raw_rule.strip())
        if match is None:
            return None
        days = _expand_days(match["days"])
        if days is None:
            return None
        windows: list[tuple[int, int]] = []
        if match["times"] != "off":
            for span in match["times"].split(","):
                start, end = (_minutes(t) for t in span.split("-"))
                if end <= start:
                    return None
                windows.append((start, end))
        windows.sort()
        if any(a[1] > b[0] for a, b in itertools.pairwise(windows)):
            return None  # overlapping windows
        for day in days:
            week[day] = list(windows)
    return week


def windows_fit(week: Week, service_min: int) -> bool:
    """True if every opening window is at least ``service_min`` long."""
    return all(end - start >= service_min for wins in week.values() for start, end in wins)


def visitable_days(week: Week, service_min: int) -> list[int]:
    """Working days (Mo-Fr) on which a visit fits inside both shift and opening hours."""
    shift_start, shift_end = (_minutes(t) for t in SHIFT.split("-"))
    days = []
    for day in range(5):
        for start, end in week.get(day, []):
            if min(end, shift_end) - max(start, shift_start) >= service_min:
                days.append(day)
                break
    return days


# --------------------------------------------------------------------------
# Reading OSM
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A named OSM object that qualifies as an outlet."""

    osm_type: str
    osm_id: int
    name: str
    category: str
    lat: float
    lon: float
    address: str
    osm_hours: str


def tag(tags: osmium.osm.TagList, key: str) -> str:
    """The stripped value of ``key``, or an empty string."""
    return (tags.get(key) or "").strip()


def format_address(tags: osmium.osm.TagList) -> str:
    """``<number> <street>, <postcode> <city>`` from ``addr:*``; empty without a street."""
    street = tag(tags, "addr:street")
    if not street:
        return ""
    number = tag(tags, "addr:housenumber")
    locality = " ".join(
        part for part in (tag(tags, "addr:postcode"), tag(tags, "addr:city")) if part
    )
    line = f"{number} {street}" if number else street
    return f"{line}, {locality}" if locality else line


class OutletCollector(osmium.SimpleHandler):
    """Collects outlet candidates and the rep start nodes in one pass."""

    def __init__(self, rep_node_ids: Iterable[int]) -> None:
        super().__init__()
        self.candidates: list[Candidate] = []
        self.rep_nodes: dict[int, tuple[float, float]] = {}
        self.skipped_relations = 0
        self._rep_node_ids = frozenset(rep_node_ids)

    def _add(
        self, osm_type: str, obj: osmium.osm.Node | osmium.osm.Way, lat: float, lon: float
    ) -> None:
        tags = obj.tags
        category = classify(tags)
        name = tag(tags, "name")
        if category is None or not name:
            return
        self.candidates.append(
            Candidate(
                osm_type=osm_type,
                osm_id=obj.id,
                name=name,
                category=category,
                lat=lat,
                lon=lon,
                address=format_address(tags),
                osm_hours=tag(tags, "opening_hours"),
            )
        )

    def node(self, n: osmium.osm.Node) -> None:
        if n.id in self._rep_node_ids:
            self.rep_nodes[n.id] = (n.location.lat, n.location.lon)
        if len(n.tags):
            self._add("node", n, n.location.lat, n.location.lon)

    def way(self, w: osmium.osm.Way) -> None:
        if not len(w.tags) or classify(w.tags) is None:
            return
        refs = list(w.nodes)
        if len(refs) > 1 and w.is_closed():
            refs = refs[:-1]  # the closing node repeats the first one
        points = [(r.location.lat, r.location.lon) for r in refs if r.location.valid()]
        if not points:
            return
        lat = statistics.fmean(p[0] for p in points)
        lon = statistics.fmean(p[1] for p in points)
        self._add("way", w, lat, lon)

    def relation(self, r: osmium.osm.Relation) -> None:
        if classify(r.tags) is not None and tag(r.tags, "name"):
            self.skipped_relations += 1


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def deduplicate(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Keep the first (nodes before ways, lowest id) of each (name, rounded position)."""
    seen: set[tuple[str, float, float]] = set()
    kept = []
    for cand in sorted(candidates, key=lambda c: (c.osm_type, c.osm_id)):
        key = (
            cand.name.casefold(),
            round(cand.lat, DEDUP_DECIMALS),
            round(cand.lon, DEDUP_DECIMALS),
        )
        if key not in seen:
            seen.add(key)
            kept.append(cand)
    return kept


def select(candidates: Sequence[Candidate], rng: random.Random) -> list[Candidate]:
    """All core outlets plus, if needed, a seeded sample of the rest up to MAX_OUTLETS."""
    core = [c for c in candidates if c.category in CORE_CATEGORIES]
    rest = [c for c in candidates if c.category not in CORE_CATEGORIES]
    room = max(0, MAX_OUTLETS - len(core))
    if len(rest) > room:
        rest = rng.sample(rest, room)
    return sorted(core + rest, key=lambda c: (c.category, c.osm_id, c.osm_type))


# --------------------------------------------------------------------------
# Assigning visit attributes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outlet:
    """One row of outlets.csv."""

    outlet_id: str
    cand: Candidate
    frequency: str
    priority: str
    service_min: int
    opening_hours: str
    opening_hours_source: str
    rep_id: str = ""
    allowed_days: str = ""

    def week(self) -> Week:
        week = parse_hours(self.opening_hours)
        assert week is not None
        return week

    def row(self) -> dict[str, str]:
        c = self.cand
        return {
            "outlet_id": self.outlet_id,
            "name": c.name,
            "address": c.address,
            "lat": f"{c.lat:.{COORD_DECIMALS}f}",
            "lon": f"{c.lon:.{COORD_DECIMALS}f}",
            "frequency": self.frequency,
            "priority": self.priority,
            "service_min": str(self.service_min),
            "opening_hours": self.opening_hours,
            "opening_hours_source": self.opening_hours_source,
            "rep_id": self.rep_id,
            "allowed_days": self.allowed_days,
            "osm_type": c.osm_type,
            "osm_id": str(c.osm_id),
            "category": c.category,
        }


# fmt: off
OUTLET_COLUMNS = (
    "outlet_id", "name", "address", "lat", "lon", "frequency", "priority", "service_min",
    "opening_hours", "opening_hours_source", "rep_id", "allowed_days", "osm_type", "osm_id",
    "category",
)
REP_COLUMNS = (
    "rep_id", "name", "lat", "lon", "end_lat", "end_lon", "shift", "working_days", "break",
    "max_visits", "mode",
)
# fmt: on


def share_out(n: int, shares: Sequence[tuple[str, float]]) -> list[str]:
    """``n`` labels in the given shares (largest remainder), in share order."""
    exact = [(label, share * n) for label, share in shares]
    counts = {label: math.floor(x) for label, x in exact}
    leftover = n - sum(counts.values())
    by_remainder = sorted(exact, key=lambda e: e[1] - math.floor(e[1]), reverse=True)
    for label, _ in by_remainder[:leftover]:
        counts[label] += 1
    return [label for label, _ in shares for _ in range(counts[label])]


def pick_hours(cand: Candidate, service_min: int) -> tuple[str, str]:
    """OSM opening hours if usable, else the assumed hours of the category."""
    if cand.osm_hours:
        week = parse_hours(cand.osm_hours)
        if week is not None and windows_fit(week, service_min):
            return cand.osm_hours, "osm"
    assumed = HOURS_BY_CATEGORY.get(cand.category, RULES[group_of(cand.category)].hours)
    return assumed, "assumed"


def build_outlets(selected: Sequence[Candidate], rng: random.Random) -> list[Outlet]:
    """Assign ids, frequency, priority, service time and opening hours."""
    frequency: dict[int, str] = {}
    for group, rule in RULES.items():  # fixed order keeps the RNG stream stable
        members = [i for i, c in enumerate(selected) if group_of(c.category) == group]
        rng.shuffle(members)
        for index, label in zip(members, share_out(len(members), rule.frequencies), strict=True):
            frequency[index] = label
    outlets = []
    for i, cand in enumerate(selected):
        rule = RULES[group_of(cand.category)]
        service = rng.choice(rule.service_min)
        hours, source = pick_hours(cand, service)
        outlets.append(
            Outlet(
                outlet_id=f"{ID_PREFIX}-{i + 1:04d}",
                cand=cand,
                frequency=frequency[i],
                priority=rule.priority[frequency[i]],
                service_min=service,
                opening_hours=hours,
                opening_hours_source=source,
            )
        )
    return outlets


def fix_some_reps(outlets: list[Outlet], rng: random.Random) -> None:
    """Tie about SHARE_FIXED_REP of the outlets to R1 (west) or R2 (east)."""
    median_lon = statistics.median(o.cand.lon for o in outlets)
    count = round(SHARE_FIXED_REP * len(outlets))
    for i in sorted(rng.sample(range(len(outlets)), count)):
        rep = "R1" if outlets[i].cand.lon < median_lon else "R2"
        outlets[i] = replace(outlets[i], rep_id=rep)


def restrict_some_days(outlets: list[Outlet], rng: random.Random) -> None:
    """Give about SHARE_ALLOWED_DAYS of the outlets a day pattern they can honour."""
    wanted = round(SHARE_ALLOWED_DAYS * len(outlets))
    order = list(range(len(outlets)))
    rng.shuffle(order)
    done = 0
    for i in order:
        if done == wanted:
            break
        outlet = outlets[i]
        need = math.ceil(VISITS_PER_WEEK[outlet.frequency])
        open_days = set(visitable_days(outlet.week(), outlet.service_min))
        patterns = ALLOWED_DAYS_TWICE_A_WEEK if need >= 2 else ALLOWED_DAYS_ONCE_A_WEEK
        fitting = [
            p
            for p in patterns
            if len(p.split(",")) >= need and all(DAY_INDEX[d] in open_days for d in p.split(","))
        ]
        if fitting:
            outlets[i] = replace(outlet, allowed_days=rng.choice(fitting))
            done += 1


def build_reps(rep_nodes: dict[int, tuple[float, float]]) -> list[dict[str, str]]:
    """Rows of reps.csv; each rep starts and ends at its OSM node."""
    rows = []
    for rep in REP_STARTS:
        if rep.osm_node_id not in rep_nodes:
            raise SystemExit(f"rep start node {rep.osm_node_id} ({rep.label}) not in extract")
        lat, lon = rep_nodes[rep.osm_node_id]
        lat_s, lon_s = f"{lat:.{COORD_DECIMALS}f}", f"{lon:.{COORD_DECIMALS}f}"
        rows.append(
            {
                "rep_id": rep.rep_id,
                "name": rep.name,
                "lat": lat_s,
                "lon": lon_s,
                "end_lat": lat_s,
                "end_lon": lon_s,
                "shift": SHIFT,
                "working_days": WORKING_DAYS,
                "break": BREAK,
                "max_visits": str(MAX_VISITS),
                "mode": "drive",
            }
        )
    return rows


# --------------------------------------------------------------------------
# Checks, output, main
# --------------------------------------------------------------------------


def in_box(lat: float, lon: float) -> bool:
    """True if the point lies in LAT_RANGE x LON_RANGE."""
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]


def check(outlets: Sequence[Outlet], reps: Sequence[dict[str, str]]) -> list[str]:
    """Return a list of problems (empty when the data set is consistent)."""
    problems = [
        f"rep {r['rep_id']}: start outside the bounding box"
        for r in reps
        if not in_box(float(r["lat"]), float(r["lon"]))
    ]
    ids = [o.outlet_id for o in outlets]
    if len(set(ids)) != len(ids):
        problems.append("outlet ids are not unique")
    for o in outlets:
        c = o.cand
        if not c.name:
            problems.append(f"{o.outlet_id}: empty name")
        if not in_box(c.lat, c.lon):
            problems.append(f"{o.outlet_id}: ({c.lat}, {c.lon}) outside the bounding box")
        week = o.week()
        if not windows_fit(week, o.service_min):
            problems.append(f"{o.outlet_id}: an opening window is shorter than service_min")
        days = set(visitable_days(week, o.service_min))
        if o.allowed_days:
            days &= {DAY_INDEX[d] for d in o.allowed_days.split(",")}
        if len(days) < math.ceil(VISITS_PER_WEEK[o.frequency]):
            problems.append(
                f"{o.outlet_id} {c.name!r}: {o.frequency} but visitable on "
                f"{sorted(WEEKDAYS[d] for d in days)} within the rep shift"
            )
    return problems


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> None:
    """Write UTF-8 CSV with ``\\n`` line ends (stable across platforms)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def summarise(
    outlets: Sequence[Outlet], n_candidates: int, n_unique: int, skipped_relations: int
) -> None:
    """Print counts and the weekly workload against the reps' capacity."""
    visits = sum(VISITS_PER_WEEK[o.frequency] for o in outlets)
    service = sum(VISITS_PER_WEEK[o.frequency] * o.service_min for o in outlets)
    shift_start, shift_end = (_minutes(t) for t in SHIFT.split("-"))
    capacity = len(REP_STARTS) * 5 * (shift_end - shift_start - BREAK_MINUTES)
    print(
        f"candidates: {n_candidates}, after dedup: {n_unique}, written: {len(outlets)}"
        f" (named relations skipped: {skipped_relations})"
    )
    print("per category:")
    for category, n in sorted(Counter(o.cand.category for o in outlets).items()):
        print(f"  {category:<12} {n:4d}")
    for label, counter in (
        ("frequency", Counter(o.frequency for o in outlets)),
        ("priority", Counter(o.priority for o in outlets)),
        ("opening_hours_source", Counter(o.opening_hours_source for o in outlets)),
        ("rep_id", Counter(o.rep_id or "-" for o in outlets)),
    ):
        print(f"{label}: " + ", ".join(f"{k}={v}" for k, v in sorted(counter.items())))
    print(f"allowed_days set: {sum(bool(o.allowed_days) for o in outlets)}")
    print(f"visits per week: {visits:.2f}; service minutes per week: {service:.0f}")
    print(
        f"rep capacity per week: {capacity} min, {len(REP_STARTS) * 5 * MAX_VISITS} visits;"
        f" left for travel: {capacity - service:.0f} min"
        f" ({(capacity - service) / visits:.1f} min per visit)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pbf",
        type=Path,
        required=True,
        help="path of monaco.osm.pbf from osrm-bindings 26.10.0 (see module doc)",
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="directory for outlets.csv and reps.csv"
    )
    args = parser.parse_args(argv)

    digest = sha256_of(args.pbf)
    if digest != PBF_SHA256:
        print(f"error: {args.pbf} has sha256 {digest}, expected {PBF_SHA256}", file=sys.stderr)
        return 2

    collector = OutletCollector(rep.osm_node_id for rep in REP_STARTS)
    collector.apply_file(str(args.pbf), locations=True)

    rng = random.Random(SEED)
    unique = deduplicate(collector.candidates)
    outlets = build_outlets(select(unique, rng), rng)
    fix_some_reps(outlets, rng)
    restrict_some_days(outlets, rng)
    reps = build_reps(collector.rep_nodes)

    problems = check(outlets, reps)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    if problems:
        return 1

    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "outlets.csv", OUTLET_COLUMNS, (o.row() for o in outlets))
    write_csv(args.out / "reps.csv", REP_COLUMNS, reps)
    if collector.skipped_relations:
        print(f"note: {collector.skipped_relations} named outlet relations were not used")
    summarise(outlets, len(collector.candidates), len(unique), collector.skipped_relations)
    for rep in REP_STARTS:
        print(f"{rep.rep_id} starts at node {rep.osm_node_id}: {rep.label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
