"""Build the stock counts of the Monaco example: four weeks of counts before the plan.

Run from the repository root::

    python examples/data/make_monaco_stock.py [--out examples/data/monaco/stock.csv]

The counts are made up, with a fixed seed, so that running it again gives the
same bytes. They follow the field routine: each outlet is counted at its
visit frequency (``2/week`` on Mondays and Thursdays, ``1/week`` on one
weekday, ``1/2weeks`` every other week, ``1/4weeks`` once) over the four
weeks from 2026-11-02, the plan of ``plan_monaco.py`` starting on
2026-11-30. At each count the rep ordered by the classic 1.5x rule, and the
order was delivered before the next count. Some cases of ``docs/orders.md``
are there on purpose: about one outlet in ten was never counted, and about
one delivery in twenty was not logged (its ``delivered`` cell is empty), which
shows as negative sales.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent / "monaco"
START = date(2026, 11, 2)  # four weeks before the plan
SEED = 20261130

#: The SKUs of each kind of outlet, with their mean sales per day.
SKUS = {
    "pharmacy": {"otc-paracetamol-500": 4.0, "otc-cough-syrup": 1.5, "water-1l5": 2.0},
    "supermarket": {"beer-330": 12.0, "water-1l5": 9.0, "cola-330": 7.0},
    "convenience": {"beer-330": 5.0, "water-1l5": 4.0, "cola-330": 3.0},
    "drinks": {"beer-330": 6.0, "water-1l5": 3.0},
    "other": {"water-1l5": 1.5},
}
DRINKS = {"restaurant", "cafe", "bar", "pub", "fast_food"}


def kind(category: str) -> str:
    if category in ("pharmacy", "supermarket", "convenience"):
        return category
    return "drinks" if category in DRINKS else "other"


def count_days(frequency: str, rng: random.Random) -> list[date]:
    """The days an outlet of this frequency was counted in the four weeks from START."""
    days = [START + timedelta(days=d) for d in range(28)]
    if frequency == "2/week":
        return [d for d in days if d.weekday() in (0, 3)]
    weekday = rng.randrange(5)
    weekly = [d for d in days if d.weekday() == weekday]
    if frequency == "1/week":
        return weekly
    if frequency == "1/2weeks":
        return weekly[rng.randrange(2)::2]
    return [rng.choice(weekly)]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, default=HERE / "stock.csv")
    args = ap.parse_args(argv)
    rng = random.Random(SEED)
    with (HERE / "outlets.csv").open(encoding="utf-8") as f:
        outlets = list(csv.DictReader(f))
    rows: list[dict[str, object]] = []
    for o in outlets:
        days = count_days(o["frequency"], rng)
        if rng.random() < 0.1:
            continue  # never counted
        for sku, mean in SKUS[kind(o["category"])].items():
            per_day = mean * rng.uniform(0.5, 1.5)
            stock = math.ceil(per_day * rng.uniform(4, 10))
            incoming = 0
            prev: date | None = None
            first_gap = (days[1] - days[0]).days if len(days) > 1 else 28
            for d in days:
                delivered = ""
                if prev is None:
                    sold = round(per_day * first_gap)  # as much before the first count
                else:
                    demand = round(per_day * (d - prev).days * rng.uniform(0.7, 1.3))
                    sold = min(demand, stock + incoming)
                    stock = stock + incoming - sold
                    logged = not incoming or rng.random() >= 0.05
                    delivered = str(incoming) if incoming and logged else ""
                # the classic rule: 1.5 x the sales since the last count - the stock now
                ordered = max(0, math.ceil(1.5 * sold - stock))
                rows.append({"outlet_id": o["outlet_id"], "date": d.isoformat(), "sku": sku,
                             "stock": stock, "delivered": delivered, "ordered": ordered})
                incoming, prev = ordered, d
    rows.sort(key=lambda r: (str(r["outlet_id"]), str(r["sku"]), str(r["date"])))
    with args.out.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["outlet_id", "date", "sku", "stock", "delivered",
                                          "ordered"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} counts to {args.out}")


if __name__ == "__main__":
    main()
