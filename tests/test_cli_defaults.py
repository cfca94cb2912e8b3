"""The defaults the command line's help states are the ones that apply."""

from __future__ import annotations

import argparse
import re

import pytest

from routeopt.cli import _parser
from routeopt.solver import SolveParams


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


@pytest.mark.parametrize("command", ["plan", "replan", "batch"])
def test_the_search_defaults_in_the_help_are_solve_params_defaults(command: str) -> None:
    helps = {a.dest: a.help or "" for a in _subcommands()[command]._actions}
    d = SolveParams()
    assert re.search(rf"\b{d.time_limit:g} s\b", helps["time_limit"])
    assert re.search(rf"\b{d.max_iterations}\b", helps["iterations"])
    if command != "batch":
        assert re.search(rf"default {d.seed}\b", helps["seed"])


def test_every_default_a_help_states_is_the_options_own() -> None:
    """``(default X)`` in a help text, for an option argparse gives a default, is that default."""
    checked = 0
    for name, p in _subcommands().items():
        for a in p._actions:
            m = re.search(r"\(default:? ([^,;)]+)\)", a.help or "")
            if m is None or a.default in (None, argparse.SUPPRESS) or isinstance(a.default, bool):
                continue
            stated = m.group(1).strip().replace("%%", "%")
            if stated.endswith("%") and isinstance(a.default, float):  # a share, shown in %
                assert float(stated[:-1]) / 100 == a.default, (name, a.option_strings)
            else:
                assert str(a.default) == stated, (name, a.option_strings, a.help)
            checked += 1
    assert checked >= 3


def test_getting_started_states_the_defaults_that_apply() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "getting-started.md").read_text()
    d = SolveParams()
    assert (f"The search stops after {d.max_iterations} iterations or {d.time_limit:g} seconds"
            in page)
