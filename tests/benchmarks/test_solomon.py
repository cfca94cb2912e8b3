"""The Solomon benchmark's reader and checker, and its adapter to routeopt."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "solomon"
sys.path.insert(0, str(ROOT / "benchmarks"))

import dataclasses  # noqa: E402

from solomon_format import (  # noqa: E402
    SolomonInstance,
    check_routes,
    parse_sol,
    parse_solomon,
)


def c101() -> tuple[SolomonInstance, list[tuple[int, ...]]]:
    inst = parse_solomon((DATA / "C101.txt").read_text(), "C101")
    _, routes = parse_sol((DATA / "C101.sol").read_text())
    return inst, routes


def test_reads_c101_fleet_depot_and_customers() -> None:
    inst = parse_solomon((DATA / "C101.txt").read_bytes().decode(), "C101")
    assert (inst.vehicles, inst.capacity, inst.n) == (25, 200, 100)
    assert inst.xy[0] == (40.0, 50.0) and inst.due[0] == 1236 and inst.service[0] == 0
    # customer 1: 45 68, demand 10, window 912-967, service 90
    assert inst.xy[1] == (45.0, 68.0) and inst.demand[1] == 10
    assert (inst.ready[1], inst.due[1], inst.service[1]) == (912, 967, 90)
    assert inst.xy[100] == (55.0, 85.0) and sum(inst.demand) == 1810


def test_the_sintef_routes_reproduce_c101s_best_known_under_both_conventions() -> None:
    inst, routes = c101()
    stated, _ = parse_sol((DATA / "C101.sol").read_text())
    vehicles, cost, errors = check_routes(inst, routes, "hierarchical")
    assert errors == [] and vehicles == 10
    assert cost == pytest.approx(828.936867, abs=1e-6) and round(cost, 2) == 828.94
    assert stated == pytest.approx(cost, abs=1e-4)
    # DIMACS: integer tenths; 827.3 is C101's proven optimum, these routes reach it
    assert check_routes(inst, routes, "distance") == (10, 827.3, [])


def test_checker_finds_late_overloaded_and_missing_visits() -> None:
    inst, routes = c101()
    late = [tuple(reversed(routes[0])), *routes[1:]]
    assert any("after its due date" in e for e in check_routes(inst, late, "hierarchical")[2])
    merged = [routes[0] + routes[1], *routes[2:]]
    assert any("load" in e for e in check_routes(inst, merged, "hierarchical")[2])
    errors = check_routes(inst, routes[1:], "distance")[2]
    assert errors == [f"{len(routes[0])} customers not visited, e.g. "
                      f"{sorted(routes[0])[:5]}"]
    with pytest.raises(ValueError, match="unknown convention"):
        check_routes(inst, routes, "km")


def test_reader_names_the_line_of_a_short_row() -> None:
    text = (DATA / "C101.txt").read_text().replace("    1      45         68 ", "    1  45 ")
    with pytest.raises(ValueError, match=r"C101, line 11: a customer row needs 7 numbers"):
        parse_solomon(text, "C101")


def test_routeopt_problem_uses_the_instance_arcs_and_windows() -> None:
    from solomon import to_problem

    from routeopt import Problem

    inst, _ = c101()
    problem = to_problem(inst, "distance")
    assert isinstance(problem, Problem)
    assert len(problem.outlets) == 100 and len(problem.reps) == 25
    assert len(problem.planning_days) == 1
    o = problem.outlets[0]  # customer 1, times x 10
    assert (o.service, o.demand) == (900, 10)
    assert [(w.start, w.end) for w in o.hours.weekly[0]] == [(9120, 9670 + 900)]
    assert problem.matrix is not None
    m = problem.matrix["drive"]
    # customer 1 -> 2: euclid 2, floor(10 * 2) = 20, as distance and as time
    assert int(m.distances[0, 1]) == 20 and int(m.durations[0, 1]) == 20
    h = to_problem(inst, "hierarchical")
    assert isinstance(h, Problem)
    # C1's horizon 1236 fits a day at 69 units: times rounded up, distances in 1/1000
    assert h.reps[0].shift.end == 1236 * 69
    assert h.matrix is not None
    assert int(h.matrix["drive"].distances[0, 2]) == round(1000 * inst.dist(1, 3))


def first(inst: SolomonInstance, n: int) -> SolomonInstance:
    """The depot and the first ``n`` customers."""
    cut = {f.name: getattr(inst, f.name)[:n + 1] for f in dataclasses.fields(inst)
           if isinstance(getattr(inst, f.name), tuple)}
    return dataclasses.replace(inst, **cut)


@pytest.mark.parametrize("convention", ["hierarchical", "distance"])
def test_routeopt_serves_every_customer_in_its_window(convention: str) -> None:
    from solomon import solve_routeopt

    inst = first(c101()[0], 12)
    routes, iterations, missed = solve_routeopt(inst, convention, 30.0, 1, iterations=20)
    vehicles, cost, errors = check_routes(inst, routes, convention)
    assert (missed, errors) == (0, []) and iterations == 20
    assert cost > 0 and 1 <= vehicles <= 12


def test_pyvrp_model_serves_every_customer_in_its_window() -> None:
    pytest.importorskip("pyvrp")
    from solomon import solve_pyvrp

    inst = first(c101()[0], 12)
    routes, _ = solve_pyvrp(inst, "hierarchical", 0.3, 1)
    vehicles, _, errors = check_routes(inst, routes, "hierarchical")
    assert errors == []
    # with the fixed cost per vehicle: the best-known routes serve customers 1-11 on
    # one route and 12 on another (demand 180 in all)
    assert vehicles <= 2
