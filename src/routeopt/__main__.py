"""``python -m routeopt``: the command line."""

from routeopt.cli import run

run()
