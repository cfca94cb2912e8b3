"""``python -m routeopt``: the command line."""

from routeopt.cli import _entry

_entry()
