"""Territory design and realignment on generated companies."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from routeopt.datasets import make_company
from routeopt.exceptions import InputError
from routeopt.read import read_problem
from routeopt.territories import design, outlet_workloads, realign

EPS = 1e-6


@pytest.fixture(scope="module")
def company() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_company(1_200, 4, seed=5, radius_km=40.0)


@pytest.fixture(scope="module")
def problem(company: tuple[pd.DataFrame, pd.DataFrame]):  # type: ignore[no-untyped-def]
    return read_problem(*company, start="2026-11-30", weeks=4)


def _nearest(problem) -> dict[str, str]:  # type: ignore[no-untyped-def]
    w = outlet_workloads(problem)
    return dict(zip(w["outlet_id"], w["nearest_rep"], strict=True))


def test_every_outlet_gets_a_rep_within_the_band(problem) -> None:  # type: ignore[no-untyped-def]
    plan = design(problem)
    assert set(plan.assignment) == {o.id for o in problem.outlets}
    assert set(plan.assignment.values()) == {r.id for r in problem.reps}
    assert all(abs(r.deviation) <= 0.05 + EPS for r in plan.loads)
    assert plan.stats["outside_band_h"] == 0
    # the loads add up to the workload model's figures for the chosen reps
    assert sum(r.outlets for r in plan.loads) == len(problem.outlets)
    w = outlet_workloads(problem)
    assert sum(r.visits_per_week for r in plan.loads) == pytest.approx(w["visits_per_week"].sum())


def test_a_tighter_band_is_honoured_and_costs_travel(problem) -> None:  # type: ignore[no-untyped-def]
    loose, tight = design(problem, band=0.10), design(problem, band=0.02)
    assert tight.spread()["max_dev_pct"] <= 2 + EPS
    assert tight.stats["objective"] >= loose.stats["objective"] - EPS


def test_the_design_is_balanced_where_nearest_rep_is_not(problem) -> None:  # type: ignore[no-untyped-def]
    near = realign(problem, current=_nearest(problem), max_moves=0)
    assert near.moves == () and near.spread()["max_over_min"] > 1.3
    assert design(problem).spread()["max_over_min"] < 1.11


def test_fixed_excluded_and_capped_pairs(company, problem) -> None:  # type: ignore[no-untyped-def]
    outlets, reps = company
    free = design(problem)
    # pin the first 20 outlets to a rep the free design did not give them
    ids = list(free.assignment)[:20]
    other = {o: next(r for r in reps["rep_id"] if r != free.assignment[o]) for o in ids}
    pinned = outlets.copy()
    pinned["rep_id"] = [other.get(o, "") for o in pinned["outlet_id"]]
    excluded = [(o, free.assignment[o]) for o in list(free.assignment)[20:60]]
    cap = max(r.outlets for r in free.loads) - 10
    plan = design(read_problem(pinned, reps, start="2026-11-30", weeks=4), excluded=excluded,
                  max_outlets=cap, band=0.08)
    assert all(plan.assignment[o] == other[o] for o in ids)
    assert all(plan.assignment[o] != r for o, r in excluded)
    assert max(r.outlets for r in plan.loads) <= cap


def test_the_same_input_gives_the_same_territories(problem) -> None:  # type: ignore[no-untyped-def]
    assert design(problem).assignment == design(problem).assignment


def test_realignment_moves_at_most_the_cap_and_improves_balance(problem) -> None:  # type: ignore[no-untyped-def]
    current = _nearest(problem)
    before = realign(problem, current=current, max_moves=0).spread()
    plan = realign(problem, current=current, max_moves=0.05)
    n = len(problem.outlets)
    assert 0 < len(plan.moves) <= int(0.05 * n)
    moved = {m.outlet_id for m in plan.moves}
    assert moved == {o for o in current if plan.assignment[o] != current[o]}
    assert all(m.from_rep == current[m.outlet_id] for m in plan.moves)
    after = plan.spread()
    assert after["max_over_min"] < before["max_over_min"]
    assert after["std_pct"] < before["std_pct"]
    frame = plan.to_frame()
    assert int(frame["moved"].sum()) == len(plan.moves)


def test_realigning_balanced_territories_moves_nothing(problem) -> None:  # type: ignore[no-untyped-def]
    balanced = design(problem)
    again = realign(problem, current=dict(balanced.assignment), max_moves=0.05)
    assert again.moves == ()


def test_capacities_that_cannot_hold_the_workload(company) -> None:  # type: ignore[no-untyped-def]
    outlets, reps = company
    short = reps.head(1)
    with pytest.raises(InputError, match=r"cannot hold the outlets' workload") as e:
        design(outlets, short)
    assert e.value.issues[0].column == "shift"


def test_bad_pairs_name_what_is_wrong(problem) -> None:  # type: ignore[no-untyped-def]
    o = problem.outlets[0].id
    with pytest.raises(InputError, match="rep 'R999', who is not in the reps table"):
        design(problem, excluded=[(o, "R999")])
    with pytest.raises(InputError, match="has no current rep"):
        realign(problem, current={}, max_moves=5)
    with pytest.raises(InputError, match=r"band is 1\.5"):
        design(problem, band=1.5)


def test_the_workload_model_counts_visits_service_and_travel(problem) -> None:  # type: ignore[no-untyped-def]
    w = outlet_workloads(problem)
    o = {x.id: x for x in problem.outlets}
    first = w.iloc[0]
    outlet = o[first["outlet_id"]]
    assert first["visits_per_week"] == float(outlet.rule.per_week)
    assert first["service_h"] == pytest.approx(float(outlet.rule.per_week) * outlet.service / 3600)
    assert (w["approach_h"] > 0).all() and (w["commute_h"] >= 0).all()
    assert np.isfinite(w[["service_h", "approach_h", "commute_h"]].to_numpy()).all()


def _spread_km(problem, assignment) -> float:  # type: ignore[no-untyped-def]
    """Visit-weighted mean km from each outlet to its territory's weighted median."""
    lat0 = np.mean([o.lat for o in problem.outlets])
    total = weight = 0.0
    for rep in {r.id for r in problem.reps}:
        mine = [o for o in problem.outlets if assignment[o.id] == rep]
        x = np.array([o.lon * 111.2 * np.cos(np.radians(lat0)) for o in mine])
        y = np.array([o.lat * 111.2 for o in mine])
        f = np.array([float(o.rule.per_week) for o in mine])
        cx, cy = np.median(x), np.median(y)
        total += float((f * np.hypot(x - cx, y - cy)).sum())
        weight += float(f.sum())
    return total / weight


def test_compactness_rounds_the_territories_within_the_same_band(problem) -> None:  # type: ignore[no-untyped-def]
    home = design(problem, compactness=0.0)
    compact = design(problem, compactness=2.0)
    assert home.stats["rounds"] == 1 and compact.stats["rounds"] > 1
    assert compact.spread()["max_dev_pct"] <= 5.0 + EPS
    assert _spread_km(problem, compact.assignment) < _spread_km(problem, home.assignment)
    with pytest.raises(InputError, match="compactness"):
        design(problem, compactness=-1.0)


@pytest.mark.parametrize("cap", [0, 3, 0.01])
def test_realignment_never_moves_more_than_the_cap(problem, cap) -> None:  # type: ignore[no-untyped-def]
    current = _nearest(problem)
    plan = realign(problem, current=current, max_moves=cap)
    limit = int(cap * len(problem.outlets)) if isinstance(cap, float) else cap
    moved = sum(plan.assignment[o] != current[o] for o in current)
    assert moved == len(plan.moves) <= limit


def _enclaves(problem, assignment) -> float:  # type: ignore[no-untyped-def]
    """The share of outlets whose 8 nearest outlets mostly belong to another territory."""
    from scipy.spatial import cKDTree

    lat = np.array([o.lat for o in problem.outlets])
    lon = np.array([o.lon for o in problem.outlets])
    xy = np.column_stack([lon * np.cos(np.radians(lat.mean())), lat])
    _, idx = cKDTree(xy).query(xy, k=9)
    rep = np.array([assignment[o.id] for o in problem.outlets])
    same = (rep[idx[:, 1:]] == rep[:, None]).mean(axis=1)
    return float((same < 0.5).mean())


def test_the_contiguity_step_leaves_fewer_enclaves_within_the_band(problem) -> None:  # type: ignore[no-untyped-def]
    plain = design(problem, contiguity=False)
    smooth = design(problem, contiguity=True)
    assert "contiguity_moves" not in plain.stats
    assert smooth.stats["contiguity_moves"] > 0
    assert _enclaves(problem, smooth.assignment) < _enclaves(problem, plain.assignment)
    assert all(abs(r.deviation) <= 0.05 + EPS for r in smooth.loads)
    assert smooth.stats["outside_band_h"] == 0
    # territories within the band are kept by a realignment, enclaves moved or not
    again = realign(problem, current=dict(smooth.assignment), max_moves=0.05)
    assert again.moves == () and again.stats["kept_current"]


def test_the_improvement_step_lowers_estimated_travel_within_the_band(problem) -> None:  # type: ignore[no-untyped-def]
    plain = design(problem)
    better = design(problem, improve=True)
    assert "improve_moves" not in plain.stats
    assert better.stats["improve_moves"] + better.stats["improve_swaps"] > 0
    assert better.stats["improve_after_h"] < better.stats["improve_before_h"]
    assert better.assignment != plain.assignment
    assert all(abs(r.deviation) <= 0.05 + EPS for r in better.loads)
    assert better.stats["outside_band_h"] == 0


def _unlimited(md):  # type: ignore[no-untyped-def]
    """The model without the reps' daily visit limits (the step's other rules alone)."""
    return dataclasses.replace(md, visit_cap=np.full(len(md.rep_ids), np.inf))


def _moved_by_the_step(company):  # type: ignore[no-untyped-def]
    from routeopt.territories._design import _improve, _model

    outlets, reps = company
    problem = read_problem(outlets, reps.assign(max_visits=None), start="2026-11-30", weeks=4)
    md = _model(problem)
    plain = design(problem)
    index = {r: j for j, r in enumerate(md.rep_ids)}
    start = np.array([index[plain.assignment[o]] for o in md.outlet_ids], dtype=np.int64)
    after, _ = _improve(md, start, 0.05)
    return md, start, after


def test_the_improvement_step_keeps_fixed_excluded_and_capped_pairs(company, problem) -> None:  # type: ignore[no-untyped-def]
    from routeopt.territories._design import _improve, _loads, _model, _outside

    outlets, reps = company
    md, start, after = _moved_by_the_step(company)
    moved = np.flatnonzero(after != start)
    assert len(moved) >= 20
    # pin half of what the free step moved to where it was, forbid the other half's new reps
    pin = {md.outlet_ids[i]: md.rep_ids[start[i]] for i in moved[::2]}
    excluded = [(md.outlet_ids[i], md.rep_ids[after[i]]) for i in moved[1::2]]
    pinned = outlets.assign(rep_id=[pin.get(o, "") for o in outlets["outlet_id"]])
    counts = np.bincount(start, minlength=len(md.rep_ids))
    caps = {r: int(c) for r, c in zip(md.rep_ids, counts, strict=True)}
    md2 = _unlimited(_model(read_problem(pinned, reps, start="2026-11-30", weeks=4), excluded,
                            caps))
    got, stats = _improve(md2, start, 0.05)
    assert all(got[i] == start[i] for i in moved[::2])
    assert all(got[i] != after[i] for i in moved[1::2])
    # every rep at its cap: only swaps, which keep the counts
    assert stats["improve_moves"] == 0 and stats["improve_swaps"] > 0
    assert np.array_equal(np.bincount(got, minlength=len(md.rep_ids)), counts)
    outside, _ = _outside(md2, _loads(md2, got), 0.05)
    assert outside <= 1e-9


def test_the_improvement_step_never_widens_a_rep_outside_the_band(problem) -> None:  # type: ignore[no-untyped-def]
    from routeopt.territories._design import _improve, _loads, _model, _outside, _viol

    md = _model(problem)
    nearest = np.asarray(md.home_h.argmin(axis=1), dtype=np.int64)  # far outside the band
    loads = _loads(md, nearest)
    before, u = _outside(md, loads, 0.05)
    assert before > 0
    got, stats = _improve(md, nearest, 0.05)
    lo, hi = 0.95 * u * md.capacity_h, 1.05 * u * md.capacity_h
    assert stats["improve_moves"] + stats["improve_swaps"] > 0
    assert np.all(_viol(_loads(md, got), lo, hi) <= _viol(loads, lo, hi) + 1e-6)
    assert _outside(md, _loads(md, got), 0.05)[0] <= before + 1e-6


def test_the_capacity_repair_balances_any_assignment(problem) -> None:  # type: ignore[no-untyped-def]
    from routeopt.territories._design import _loads, _model, _outside, _rebalance

    md = _model(problem)
    index = {r: j for j, r in enumerate(md.rep_ids)}
    near = _nearest(problem)
    start = np.array([index[near[o]] for o in md.outlet_ids], dtype=np.int64)
    before, _ = _outside(md, _loads(md, start), 0.05)
    assert before > 1.0  # nearest rep is far outside the band here
    out = _rebalance(md, start, 0.05)
    after, _ = _outside(md, _loads(md, out), 0.05)
    assert after <= EPS
    # it moves outlets only where it must: most keep their nearest rep
    assert 0 < np.count_nonzero(out != start) < len(out) // 2
    # and it is deterministic
    assert np.array_equal(out, _rebalance(md, start, 0.05))


def test_no_rep_gets_more_visits_than_its_days_allow(company) -> None:  # type: ignore[no-untyped-def]
    from routeopt.territories._design import _model, _rebalance

    outlets, reps = company
    tight = read_problem(outlets, reps.assign(max_visits=27), start="2026-11-30", weeks=4)
    free = read_problem(outlets, reps.assign(max_visits=None), start="2026-11-30", weeks=4)
    cap = 27 * 5  # visits a week: 27 a day, 5 working days
    # without the limit the design gives some rep more visits than 27 a day allow
    assert max(r.visits_per_week for r in design(free).loads) > cap + 1
    for plan in (design(tight), design(tight, improve=True), design(tight, contiguity=True)):
        assert max(r.visits_per_week for r in plan.loads) <= cap + EPS
        assert plan.stats["over_visit_limit"] == 0
        assert plan.stats["outside_band_h"] == 0
    # the capacity repair brings nearest rep under the limit too
    md = _model(tight)
    out = _rebalance(md, np.asarray(md.home_h.argmin(axis=1), dtype=np.int64), 0.05)
    assert np.bincount(out, weights=md.visits).max() <= cap + EPS
