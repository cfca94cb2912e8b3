from __future__ import annotations

import subprocess
import sys

import routeopt


def test_all_public_names_are_exported() -> None:
    exported = set(routeopt.__all__)
    public = {n for n in dir(routeopt) if not n.startswith("_")}
    modules = {"exceptions", "hours", "matrix", "plan", "problem", "solver", "patterns", "read",
               "cli", "datasets", "geocode", "replan", "batch", "export"}
    assert exported == public - modules
    assert sorted(routeopt.__all__) == routeopt.__all__


def test_errors_share_one_root_and_builtins() -> None:
    for name in ("InputError", "InputTypeError", "MatrixError", "SolverError",
                 "PlanValidationError", "PlanIntegrityError", "OpeningHoursError"):
        assert issubclass(getattr(routeopt, name), routeopt.RouteOptError)
    assert issubclass(routeopt.InputError, ValueError)
    assert issubclass(routeopt.InputTypeError, routeopt.InputError)
    assert issubclass(routeopt.InputTypeError, TypeError)
    assert issubclass(routeopt.PlanValidationError, AssertionError)
    assert issubclass(routeopt.PlanIntegrityError, routeopt.InputError)


def test_import_is_light() -> None:
    code = ("import sys, routeopt; heavy = [m for m in ('ortools', 'pandas', 'geopy', 'networkx')"
            " if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
