"""The PVRP benchmark's parser, checker and writer, and its adapter to routeopt."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "pvrp"
sys.path.insert(0, str(ROOT / "benchmarks"))

from pvrp_format import (  # noqa: E402
    PVRPRoute,
    check_solution,
    decode_pattern,
    format_res,
    parse_pvrp,
    parse_res,
)


def test_decode_pattern_reads_days_left_to_right() -> None:
    assert decode_pattern(10, 5) == (1, 3)  # 01010
    assert decode_pattern(31, 5) == (0, 1, 2, 3, 4)
    assert decode_pattern(1, 4) == (3,)


def test_parse_header_nodes_and_patterns() -> None:
    inst = parse_pvrp((DATA / "pr01").read_text(), "pr01")
    assert (inst.m, inst.n, inst.t) == (2, 48, 4)
    assert inst.duration == (500.0,) * 4 and inst.capacity == (200.0,) * 4
    assert inst.xy[0] == (-10.442, 19.999)
    assert inst.service[1] == 2 and inst.demand[1] == 12 and inst.frequency[1] == 4
    assert inst.patterns[1] == ((0, 1, 2, 3),)


def test_p11_customer_131_takes_its_frequency_from_its_patterns() -> None:
    inst = parse_pvrp((DATA / "p11").read_text(), "p11")
    assert inst.frequency[131] == 1
    assert all(len(p) == 1 for p in inst.patterns[131])


@pytest.mark.parametrize(("name", "cost"), [("p01", 524.6111), ("pr01", 2209.0197)])
def test_cordeau_solutions_check_out(name: str, cost: float) -> None:
    inst = parse_pvrp((DATA / name).read_text(), name)
    printed, routes = parse_res((DATA / f"{name}.res").read_text())
    recomputed, errors = check_solution(inst, routes)
    assert errors == []
    assert recomputed == pytest.approx(cost, abs=1e-3)
    assert printed == pytest.approx(recomputed, abs=0.005)


def test_checker_catches_broken_solutions() -> None:
    inst = parse_pvrp((DATA / "pr01").read_text(), "pr01")
    _, routes = parse_res((DATA / "pr01.res").read_text())
    first = routes[0]
    # a customer dropped, one served twice, a route too long and too heavy
    dropped = [PVRPRoute(first.day, first.vehicle, first.customers[1:]), *routes[1:]]
    assert any("not an allowed pattern" in e for e in check_solution(inst, dropped)[1])
    merged = [PVRPRoute(first.day, 0, tuple(c for r in routes if r.day == first.day
                                            for c in r.customers))]
    errors = check_solution(inst, merged + [r for r in routes if r.day != first.day])[1]
    assert any("load" in e for e in errors) and any("duration" in e for e in errors)
    extra = [*routes, PVRPRoute(first.day, 5, (first.customers[0],))]
    assert any("twice" in e for e in check_solution(inst, extra)[1])


def test_res_round_trip() -> None:
    inst = parse_pvrp((DATA / "pr01").read_text(), "pr01")
    _, routes = parse_res((DATA / "pr01.res").read_text())
    text = format_res(inst, routes)
    cost, again = parse_res(text)
    assert sorted(again, key=lambda r: (r.day, r.vehicle)) == sorted(
        routes, key=lambda r: (r.day, r.vehicle))
    assert cost == pytest.approx(2209.02, abs=0.005)


def test_routeopt_solves_a_pvrp_instance_feasibly() -> None:
    from pvrp import run_routeopt

    inst = parse_pvrp((DATA / "p01").read_text(), "p01")
    result = run_routeopt(inst, time_limit=60, seed=0, iterations=300)
    assert result.errors == [] and result.complete
    assert result.cost < 524.61 * 1.10  # within 10% of the best known after 300 iterations


def _data_dir(tmp_path: Path, name: str, bks: float) -> Path:
    """A data folder holding one instance and its best-known cost."""
    data = tmp_path / "data"
    data.mkdir()
    (data / name).write_text((DATA / name).read_text())
    (data / "bks.csv").write_text(f"instance,bks\n{name},{bks}\n")
    return data


def test_seeds_run_each_instance_per_seed_and_summarise(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pvrp import main

    data = _data_dir(tmp_path, "pr01", 2209.02)
    out = tmp_path / "r.csv"
    assert main(["--data", str(data), "--instances", "pr01", "--iterations", "60",
                 "--seeds", "0,1", "--out", str(out),
                 "--write-solutions", str(tmp_path / "sol")]) == 0
    text = capsys.readouterr().out
    assert "routeopt over seeds" in text and "| pr01 | 2/2 |" in text
    rows = out.read_text().splitlines()
    assert len(rows) == 3 and [r.split(",")[10] for r in rows[1:]] == ["0", "1"]
    assert sorted(p.name for p in (tmp_path / "sol").iterdir()) == [
        "pr01.seed0.res", "pr01.seed1.res"]


def test_new_columns_rewrite_the_results_file_keeping_old_rows(tmp_path: Path) -> None:
    import csv

    from pvrp import append_rows

    out = tmp_path / "r.csv"
    out.write_text("instance,gap_pct\np01,0.5\n")
    append_rows(out, [{"instance": "p02", "gap_pct": 1.5, "workers": 2}], {"workers": 1})
    with open(out, newline="") as f:
        got = list(csv.DictReader(f))
    assert got == [{"instance": "p01", "gap_pct": "0.5", "workers": "1"},
                   {"instance": "p02", "gap_pct": "1.5", "workers": "2"}]
    append_rows(out, [{"instance": "p03", "gap_pct": 2.5, "workers": 1}], {"workers": 1})
    assert out.read_text().splitlines()[-1] == "p03,2.5,1"
    assert not list(tmp_path.glob("*.tmp"))


def test_workers_reach_the_solver(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pvrp import main

    data = _data_dir(tmp_path, "p01", 524.61)
    out = tmp_path / "r.csv"
    assert main(["--data", str(data), "--instances", "p01", "--iterations", "20",
                 "--workers", "2", "--out", str(out)]) == 0
    header, row = out.read_text().splitlines()
    assert header.split(",")[-1] == "workers" and row.split(",")[-1] == "2"
    assert "| p01 | routeopt | 0 |" in capsys.readouterr().out


def test_fixed_days_hold_every_customer_to_the_solutions_days() -> None:
    from pvrp_days import day_sets, fixed

    inst = parse_pvrp((DATA / "pr01").read_text(), "pr01")
    _, source = parse_res((DATA / "pr01.res").read_text())
    cost, routes, iterations = fixed(inst, source, time_limit=3)
    assert day_sets(routes) == day_sets(source)
    assert check_solution(inst, routes) == (cost, [])
    assert iterations > 0


def test_split_budget_follows_the_days_customers() -> None:
    from pvrp_days import split_budget

    routes = [PVRPRoute(0, 0, (1, 2, 3)), PVRPRoute(0, 1, (4,)), PVRPRoute(2, 0, (5, 6, 7, 8))]
    assert split_budget(routes, 10.0) == {0: 5.0, 2: 5.0}
    assert split_budget([*routes[:2], PVRPRoute(1, 0, (9, 10))], 6.0) == {0: 4.0, 1: 2.0}


def test_pyvrp_reroute_keeps_the_days_and_is_checked_feasible() -> None:
    pytest.importorskip("pyvrp")
    from pvrp_days import day_sets, reroute_routes

    inst = parse_pvrp((DATA / "pr01").read_text(), "pr01")
    _, source = parse_res((DATA / "pr01.res").read_text())
    routes, iterations = reroute_routes(inst, source, 0.2)
    assert day_sets(routes) == day_sets(source)
    cost, errors = check_solution(inst, routes)
    assert errors == [] and iterations > 0
    assert cost < 1.05 * 2209.02  # within 5 % of Cordeau's 1997 routes on the same days
