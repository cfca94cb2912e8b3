"""Fuzz: read_plan on corrupted plan folders returns the plan that was written, or raises
InputError (PlanIntegrityError) naming a file; never another exception, never a plan that
differs from what its manifest vouches for."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_helpers import SmallPlans

from routeopt.exceptions import InputError
from routeopt.replan import read_plan

NAMES = ["visits.csv", "routes.csv", "unscheduled.csv", "summary.json", "plan.json",
         "manifest.json"]


def corruption() -> st.SearchStrategy[tuple[object, ...]]:
    name = st.sampled_from(NAMES)
    frac = st.floats(0, 1)
    return st.one_of(
        st.tuples(st.just("truncate"), name, frac),
        st.tuples(st.just("flip"), name, frac, st.integers(1, 255)),
        st.tuples(st.just("insert"), name, frac, st.binary(min_size=1, max_size=8)),
        st.tuples(st.just("digit"), name, frac, st.integers(1, 9)),  # same size, still valid
        st.tuples(st.just("delete"), name),
        st.tuples(st.just("drop_line"), name, frac),
        st.tuples(st.just("dup_line"), name, frac),
        st.tuples(st.just("other_plan"), name),
        st.tuples(st.just("manifest_field"), st.sampled_from(["format", "format_version",
                                                              "files"]),
                  st.one_of(st.none(), st.integers(-2, 3), st.text(max_size=5),
                            st.lists(st.integers(), max_size=2))),
    )


def apply(folder: Path, other: dict[str, bytes], op: tuple[object, ...]) -> None:
    kind, target = op[0], op[1]
    p = folder / str(target)
    if kind == "manifest_field":
        try:
            m = json.loads((folder / "manifest.json").read_bytes())
        except (OSError, ValueError):
            return  # gone or damaged already
        if isinstance(m, dict):
            m[str(target)] = op[2]
            (folder / "manifest.json").write_text(json.dumps(m))
        return
    if kind == "other_plan":
        p.write_bytes(other[str(target)])
        return
    if not p.is_file():
        return
    data = p.read_bytes()
    if kind == "delete":
        p.unlink()
        return
    at = int(float(op[2]) * len(data))  # type: ignore[arg-type]
    if kind == "truncate":
        data = data[:at]
    elif kind == "flip" and data:
        at = min(at, len(data) - 1)
        data = data[:at] + bytes([data[at] ^ int(op[3])]) + data[at + 1:]  # type: ignore[call-overload]
    elif kind == "digit":  # one digit changed: a file that still parses, with another value
        digits = [i for i, b in enumerate(data) if 48 <= b <= 57]
        if digits:
            i = digits[min(int(float(op[2]) * len(digits)), len(digits) - 1)]  # type: ignore[arg-type]
            data = data[:i] + bytes([48 + (data[i] - 48 + int(op[3])) % 10]) + data[i + 1:]  # type: ignore[call-overload]
    elif kind == "insert":
        data = data[:at] + bytes(op[3]) + data[at:]  # type: ignore[call-overload]
    elif kind in ("drop_line", "dup_line"):
        lines = data.splitlines(keepends=True)
        if lines:
            k = min(int(float(op[2]) * len(lines)), len(lines) - 1)  # type: ignore[arg-type]
            lines[k:k + 1] = [] if kind == "drop_line" else [lines[k], lines[k]]
            data = b"".join(lines)
    p.write_bytes(data)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(corruption(), min_size=1, max_size=3))
def test_read_plan_on_a_corrupted_folder(small: SmallPlans,
                                         ops: list[tuple[object, ...]]) -> None:
    plan = small.week
    other = {k: v.encode() for k, v in small.weeks8.files().items()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "plan"
        files = plan.write(folder)
        manifest = files["manifest.json"].read_bytes()
        other["manifest.json"] = manifest.replace(b'"rows": ', b'"rows": 1')  # wrong counts
        for op in ops:
            apply(folder, other, op)
        try:
            back = read_plan(folder, small.problem1)
        except InputError as e:  # PlanIntegrityError is one
            assert e.issues and all(i.file for i in e.issues), e
            return
        m = folder / "manifest.json"
        if m.is_file() and m.read_bytes() == manifest:
            # every file the manifest lists is what was written: the very same plan
            assert back.routes == plan.routes and back.unscheduled == plan.unscheduled
        else:  # a folder without (its) manifest: the files at least agree with each other
            summary = json.loads((folder / "summary.json").read_text())
            assert back.scheduled_visits == summary["scheduled_visits"]
